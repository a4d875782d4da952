import CustomerLedger
import Foundation

/// Times every analysis view on a synthetic ledger and prints `metric value` lines.
///
/// The ledger is generated here, deterministically from a fixed seed, because the W1M workload
/// has no complaint flags, line-item categories or refunds of known orders for every view to
/// read. Each customer's events are appended in time order, customer after customer, in durable
/// batches of 1,000; only the analyses are timed. Each view runs `repetitions` times, and the
/// figures are the fastest run's wall and CPU seconds.
struct AnalysisBenchmark {
    /// Provinces with two cities each, in clear on every registration.
    static let regions: [(province: String, cities: [String])] = [
        ("上海市", ["上海市", "浦东新区"]), ("北京市", ["北京市", "海淀区"]), ("浙江省", ["杭州市", "宁波市"]),
        ("江苏省", ["南京市", "苏州市"]), ("广东省", ["广州市", "深圳市"]), ("四川省", ["成都市", "绵阳市"]),
        ("湖北省", ["武汉市", "宜昌市"]), ("山东省", ["济南市", "青岛市"]),
    ]
    static let skuCount = 500
    static let repetitions = 3

    /// The analysis program: CNY in Asia/Shanghai, so that every month and day boundary goes
    /// through the time zone, points expiring 365 days after they are earned, and a birthday reward.
    static var program: LoyaltyProgram {
        var program = LoyaltyProgram(currency: .cny)
        program.timeZone = "Asia/Shanghai"
        program.expiry = .afterDays(365)
        program.birthday = BirthdayReward(points: 100, leapDayInCommonYears: .march1)
        return program
    }

    let options: BenchmarkOptions

    func run() throws {
        try options.checkDatabaseFolderIsFresh()
        let path = options.databasePath
        let ledger = try Ledger(
            path: path, options: Ledger.Options(program: Self.program, masterKey: MasterKey.generate()))
        let start = ProcessMetrics.monotonicSeconds()
        let asOf = try generate(into: ledger)
        report("analysis_events", try ledger.lastPosition())
        report("analysis_customers", try ledger.statistics().customerCount)
        report("analysis_generate_seconds", ProcessMetrics.monotonicSeconds() - start, digits: 1)

        let views: [(String, () throws -> Void)] = [
            ("rfm", { _ = try ledger.rfm(asOf: asOf) }),
            ("purchases", { _ = try ledger.purchaseBehaviour(from: nil, to: nil, topSKUs: 10) }),
            ("cohorts", { _ = try ledger.cohortRetention(asOf: asOf) }),
            ("regions_province", { _ = try ledger.regions(by: .province, asOf: asOf) }),
            ("regions_city", { _ = try ledger.regions(by: .city, asOf: asOf) }),
            ("feedback", { _ = try ledger.feedbackSummary(from: nil, to: nil) }),
            ("care_birthdays", { _ = try ledger.upcomingBirthdays(asOf: asOf, days: 30) }),
            ("care_dormant", { _ = try ledger.dormantCustomers(asOf: asOf, days: 90, limit: 20) }),
            ("care_near_tier", { _ = try ledger.customersNearNextTier(asOf: asOf, limit: 20) }),
            ("care_expiring", { _ = try ledger.expiringPoints(asOf: asOf, days: 30) }),
            // An instant inside the data refolds every customer with later events.
            ("rfm_mid_period", { _ = try ledger.rfm(asOf: Timestamp(microseconds: asOf.microseconds - 180 * Timestamp.microsecondsPerDay)) }),
        ]
        for (name, view) in views {
            var bestWall = Double.infinity
            var bestCPU = Double.infinity
            for _ in 0..<Self.repetitions {
                let cpuBefore = ProcessMetrics.cpuSeconds()
                let wallBefore = ProcessMetrics.monotonicSeconds()
                try view()
                let cpu = ProcessMetrics.cpuSeconds() - cpuBefore
                bestWall = min(bestWall, ProcessMetrics.monotonicSeconds() - wallBefore)
                bestCPU = min(bestCPU, cpu.user + cpu.system)
            }
            report("analysis_\(name)_seconds", bestWall, digits: 3)
            report("analysis_\(name)_cpu_seconds", bestCPU, digits: 3)
        }
    }

    /// Appends about `options.analysisEvents` events of `options.analysisCustomers` customers
    /// over the two years from 2023-01-01 and returns the latest occurred-at.
    private func generate(into ledger: Ledger) throws -> Timestamp {
        var random = SplitMix64(seed: 20_240_301)
        let customers = options.analysisCustomers
        let eventsPerCustomer = max(1, options.analysisEvents / max(1, customers))
        let start = Timestamp(parsing: "2023-01-01T00:00:00Z")!.microseconds
        let span: Int64 = 730 * Timestamp.microsecondsPerDay
        var batch: [NewEvent] = []
        batch.reserveCapacity(1_000 + eventsPerCustomer * 2)
        var latest = Timestamp(microseconds: start)

        for number in 1...customers {
            let id = CustomerID(UInt64(number))!
            // Each customer registers at a random instant and spreads the rest over the time after it.
            var instant = start + Int64(random.next(below: UInt64(span / 2)))
            let region = Self.regions[Int(random.next(below: UInt64(Self.regions.count)))]
            let city = region.cities[Int(random.next(below: 2))]
            let birthday = CivilDate(year: 1950 + Int(random.next(below: 55)), month: 1 + Int(random.next(below: 12)),
                                     day: 1 + Int(random.next(below: 28)))
            let profile = CustomerProfile(
                name: "顾客\(number)", phone: "+86 138 \(10_000_000 + number)", birthday: birthday, province: region.province,
                city: city)
            batch.append(NewEvent(customerID: id, occurredAt: Timestamp(microseconds: instant),
                                  payload: .customerRegistered(CustomerRegistered(profile: profile))))
            var orders: [(id: String, amount: Int64)] = []
            let step = max(1, (start + span - instant) / Int64(eventsPerCustomer + 1))
            for _ in 1..<eventsPerCustomer {
                instant += 1 + Int64(random.next(below: UInt64(step)))
                let occurredAt = Timestamp(microseconds: instant)
                let kind = random.next(below: 100)
                if kind < 8, let order = orders.randomElement(using: &random), order.amount > 1 {
                    let amount = 1 + Int64(random.next(below: UInt64(order.amount / 2)))
                    batch.append(NewEvent(customerID: id, occurredAt: occurredAt, payload: .refundRecorded(
                        RefundRecorded(orderID: order.id, amount: Money(minorUnits: amount, currency: .cny)))))
                    if let index = orders.firstIndex(where: { $0.id == order.id }) { orders[index].amount -= amount }
                } else if kind < 18 {
                    let channel = FeedbackRecorded.Channel.allCases[Int(random.next(below: 3))]
                    let rating = 1 + Int(random.next(below: 5))
                    batch.append(NewEvent(customerID: id, occurredAt: occurredAt, payload: .feedbackRecorded(
                        FeedbackRecorded(channel: channel, rating: rating, isComplaint: rating <= 2, text: "评价"))))
                } else {
                    var items: [LineItem] = []
                    for _ in 0..<(1 + Int(random.next(below: 3))) {
                        let sku = Int(random.next(below: UInt64(Self.skuCount)))
                        items.append(LineItem(sku: "SKU-\(sku)", quantity: 1 + Int64(random.next(below: 3)),
                                              unitPrice: 500 + Int64(sku) * 37, category: "c\(sku % 20)"))
                    }
                    let amount = items.reduce(Int64(0)) { $0 + $1.quantity * $1.unitPrice }
                    let order = "O\(number)-\(orders.count + 1)"
                    orders.append((order, amount))
                    batch.append(NewEvent(customerID: id, occurredAt: occurredAt, payload: .purchaseRecorded(
                        PurchaseRecorded(orderID: order, amount: Money(minorUnits: amount, currency: .cny), lineItems: items,
                                         channel: "store"))))
                }
            }
            latest = max(latest, Timestamp(microseconds: instant))
            if batch.count >= 1_000 {
                try ledger.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try ledger.append(batch) }
        return latest
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a small deterministic generator, so that every run
/// builds the same ledger.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Returns a number in `0..<bound`, for a `bound` of 1 or more.
    mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
