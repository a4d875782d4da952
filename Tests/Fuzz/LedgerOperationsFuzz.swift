// libFuzzer target `ledger-operations`: a program and a sequence of operations decoded from the
// input bytes, run against a fresh encrypted ledger. Unlike `ledger-append`, nearly every input
// reaches the business rules, the loyalty arithmetic and the queries, with amounts, points and
// instants up to the extremes of their types. scripts/fuzz compiles this file into the
// CustomerLedger module.
//
// An operation may be rejected with an error. After the operations, `verify` must find
// nothing, a replay must rebuild the same projections, and an export must import into a second
// fresh ledger with the same head. The ledgers live in the folder /tmp/fuzz-ledger-operations-PID.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func ledgerOperationsFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    LedgerOperationsFuzz.run(FuzzBytes(Array(UnsafeBufferPointer(start: data, count: size))))
    return 0
}

/// A reader of fuzz input bytes that returns zeros after the end, so that every input decodes.
struct FuzzBytes {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func byte() -> UInt8 {
        defer { offset += 1 }
        return offset < bytes.count ? bytes[offset] : 0
    }

    /// Returns one of `values`, chosen by the next byte.
    mutating func pick<Value>(_ values: [Value]) -> Value {
        values[Int(byte()) % values.count]
    }

    /// Returns a value from a table of edge cases, or one from the next eight bytes.
    mutating func int64(_ edges: [Int64]) -> Int64 {
        let choice = Int(byte())
        if choice < 200 { return edges[choice % edges.count] }
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(byte()) }
        return Int64(bitPattern: value)
    }
}

enum LedgerOperationsFuzz {
    static let maximumOperations = 48
    static let folder: String = {
        let path = "/tmp/fuzz-ledger-operations-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()
    static let masterKey = try! MasterKey(bytes: Array(1...32))
    /// The ledger's clock: 2030-01-01T00:00:00Z, after every instant the operations start from.
    static let now = Timestamp(microseconds: 1_893_456_000_000_000)
    static let start = Timestamp(microseconds: 1_704_067_200_000_000)  // 2024-01-01T00:00:00Z

    static let amounts: [Int64] = [
        0, 1, 99, 100, 1_000, 10_000, 123_456, 5_000_000, 999_999_999_999_999, 1_000_000_000_000_000,
        1_000_000_000_000_001, Int64.max, Int64.max - 1, -1, Int64.min,
    ]
    static let points: [Int64] = [
        0, 1, 10, 100, 500, 800, 1_000_000_000_000, 1_000_000_000_000_000, Int64.max, -1, -100, Int64.min,
    ]
    static let currencies: [Currency] = [.cny, .cny, .cny, .usd, Currency("JPY")!, Currency("KWD")!]
    static let skus = ["TEA-1", "CUP-2", "CD", ""]
    static let categories = ["tea", "", "gift"]

    static func run(_ input: FuzzBytes) {
        var input = input
        let program = makeProgram(&input)
        guard (try? program.validate()) != nil else { return }
        let path = folder + "/ledger"
        try? FileManager.default.removeItem(atPath: path)
        let ledger: Ledger
        do {
            ledger = try Ledger(path: path, options: options(program: program))
        } catch {
            fatalError("fuzz oracle: a valid program does not create a ledger: \(error)")
        }

        var instant = start
        var orders: [(customer: CustomerID, id: String)] = []
        var count = 0
        while !input.isAtEnd, count < maximumOperations {
            count += 1
            // Mostly forward, sometimes back, by up to 127 days and 23 hours.
            let days = Int64(Int8(bitPattern: input.byte()))
            let hours = Int64(input.byte() % 24)
            instant = Timestamp(microseconds: instant.microseconds &+ (days * 24 + hours) * 3_600_000_000)
            do {
                try perform(&input, on: ledger, at: instant, orders: &orders)
            } catch {
                _ = "\(error)"
            }
        }

        let instants = [start, instant, instant.adding(days: 400), now, Timestamp.supportedRange.upperBound]
        LedgerOracle.must("query") { try query(ledger, at: instants) }
        LedgerOracle.must("verify") { try LedgerOracle.checkVerified(ledger) }
        LedgerOracle.must("replay") { try LedgerOracle.checkReplayKeepsProjections(ledger) }
        LedgerOracle.must("export and import") { try checkExportImports(ledger, program: program) }
    }

    static func options(program: LoyaltyProgram) -> Ledger.Options {
        Ledger.Options(program: program, initialMapSize: 8 << 20, clock: { now }, masterKey: masterKey)
    }

    /// Returns a program with every rule set from the input, which may be invalid.
    static func makeProgram(_ input: inout FuzzBytes) -> LoyaltyProgram {
        var program = LoyaltyProgram(currency: input.pick(currencies))
        program.timeZone = input.pick(["UTC", "Asia/Shanghai", "Europe/Berlin", "America/St_Johns", "Pacific/Kiritimati"])
        program.pointsPerUnit = Int64(input.byte()) * 4
        program.earningScope = input.byte() % 4 == 0 ? .cumulative : .perOrder
        program.rounding = input.pick([.floor, .halfUp, .ceiling])

        if program.earningScope == .perOrder {
            program.minimumOrderAmount = input.pick([0, 0, 100, 1_000_000_000_000_000])
            if input.byte() % 2 == 0 {
                program.skuMultipliers = ["TEA-1": input.pick([0, 1_500, 100_000])]
                program.categoryMultipliers = ["tea": input.pick([2_000, 500, 100_000])]
            }
            program.maximumPointsPerOrder = input.pick([nil, 0, 1_000, Int64.max])
            program.maximumPointsPerDay = input.pick([nil, 500, Int64.max])
            program.tiers = [
                TierRule(name: "ordinary"),
                TierRule(name: "VIP", minimumNetSpend: 100, minimumPurchases: 1, multiplier: input.pick([1_000, 100_000, 0])),
            ]
        }

        program.pendingDays = input.pick([0, 7, 3_650])
        program.expiry = input.pick([.never, .afterDays(1), .afterDays(36_500), .endOfMonth, .endOfYear])
        program.refundShortfall = input.pick([.allowNegative, .clampAtZero])

        program.redemption = RedemptionRules(
            minimumPoints: input.pick([0, 10, Int64.max]), maximumBalancePercent: input.pick([100, 50, 1]),
            maximumOrderPercent: input.pick([100, 50, 1]))
        program.pointValue = PointValue(points: input.pick([1, 100, Int64.max]), minorUnits: input.pick([0, 1, 1_000_000_000]))
        program.tierWindow = input.pick([.rollingDays(365), .rollingDays(1), .rollingMonths(1_200), .calendarYear, .lifetime])
        program.downgradeGraceDays = input.pick([0, 30, 3_650])

        if input.byte() % 2 == 0 {
            program.referral = ReferralReward(referrerPoints: input.pick(points.filter { $0 >= 0 }), newCustomerPoints: 100)
        }
        if input.byte() % 2 == 0 {
            program.birthday = BirthdayReward(
                points: 300, timing: input.pick([.onDay, .inMonth]), leapDayInCommonYears: input.pick([.february28, .march1]))
        }
        if input.byte() % 2 == 0 {
            program.offers = [MemberOffer(id: "SET", name: "Set", points: input.pick([0, 800]), eligibleTiers: ["VIP"])]
        }
        return program
    }

    static func perform(
        _ input: inout FuzzBytes, on ledger: Ledger, at instant: Timestamp, orders: inout [(customer: CustomerID, id: String)]
    ) throws {
        let customer = CustomerID(UInt64(input.byte() % 6) + 1)!
        func append(_ payload: EventPayload, for who: CustomerID = customer) throws {
            _ = try ledger.append(NewEvent(customerID: who, occurredAt: instant, payload: payload))
        }
        switch input.byte() % 14 {
        case 0:
            let birthday = input.pick([nil, CivilDate(year: 2000, month: 2, day: 29), CivilDate(year: 1990, month: 12, day: 31)])
            let referrer = CustomerID(UInt64(input.byte() % 7))
            try append(.customerRegistered(CustomerRegistered(
                profile: CustomerProfile(name: "N", phone: "+86 138 0013 8000", email: "a@b.c", birthday: birthday), referrer: referrer)))
        case 1, 2:
            let currency = input.byte() % 4 == 0 ? input.pick(currencies) : (try ledger.program()).currency
            var items: [LineItem] = []
            for _ in 0..<Int(input.byte() % 4) {
                items.append(LineItem(
                    sku: input.pick(skus), quantity: input.int64([1, 2, 0, 1_000_000, -1]), unitPrice: input.int64(amounts),
                    category: input.pick(categories)))
            }
            let id = "SO-\(orders.count)"
            try append(.purchaseRecorded(PurchaseRecorded(
                orderID: id, amount: Money(minorUnits: input.int64(amounts), currency: currency), lineItems: items)))
            orders.append((customer, id))
        case 3:
            guard let order = orders.isEmpty ? nil : input.pick(orders) else { return }
            let currency = (try ledger.program()).currency
            try append(.refundRecorded(RefundRecorded(
                orderID: order.id, amount: Money(minorUnits: input.int64(amounts), currency: currency))), for: order.customer)
        case 4:
            let order = orders.isEmpty || input.byte() % 2 == 0 ? "" : input.pick(orders).id
            try append(.pointsRedeemed(PointsRedeemed(points: input.int64(points), reward: input.pick(["SET", "R"]), orderID: order)))
        case 5:
            try append(.pointsAdjusted(PointsAdjusted(points: input.int64(points), reason: "fix")))
        case 6:
            try append(.feedbackRecorded(FeedbackRecorded(
                channel: input.pick([.survey, .phoneCallback, .onlineReview]), rating: Int(input.byte() % 8), isComplaint: true,
                text: "t")))
        case 7:
            try append(.profileUpdated(ProfileUpdated(changes: ProfileChanges(
                phone: "+1", birthday: input.pick([CivilDate(year: 1996, month: 2, day: 29), CivilDate(year: 1, month: 1, day: 1)]),
                city: "C"))))
        case 8:
            let until = input.pick([nil, instant.adding(days: 30), instant, Timestamp.supportedRange.upperBound])
            try append(.tierAssigned(TierAssigned(tier: input.pick(["VIP", "ordinary", "core", ""]), reason: "r", until: until)))
        case 9:
            var changed = try ledger.program()
            changed.pointsPerUnit = Int64(input.byte()) * 4
            changed.expiry = input.pick([.never, .afterDays(2), .endOfMonth])
            _ = try ledger.setProgram(changed, effectiveFrom: instant)
        case 10:
            _ = try ledger.expirePoints(asOf: min(instant, now))
        case 11:
            _ = try ledger.grantBirthdayRewards(asOf: min(instant, now))
        case 12:
            _ = try ledger.erase(customer, reason: "request", at: instant)
        default:
            _ = try ledger.replay()
        }
    }

    static func query(_ ledger: Ledger, at instants: [Timestamp]) throws {
        _ = try ledger.statistics()
        for instant in instants {
            _ = try ledger.liability(asOf: instant)
            _ = try ledger.tiers(asOf: instant)
            let program = try ledger.program(asOf: instant)
            _ = try ledger.simulate(program: program, asOf: instant)
            _ = try ledger.simulate(program: generous(program), asOf: instant)
        }
        let last = try ledger.lastPosition()
        for number in 1...6 {
            let customer = CustomerID(UInt64(number))!
            _ = try ledger.customer(customer)
            _ = try ledger.history(of: customer)
            for instant in instants {
                _ = try ledger.customer(customer, asOf: instant)
                _ = try ledger.points(of: customer, asOf: instant)
                _ = try ledger.tier(of: customer, asOf: instant, forecast: true)
            }
            for position in Set([1, last / 2, last]) where position >= 1 {
                _ = try ledger.customer(customer, asOfPosition: position)
                _ = try ledger.points(of: customer, asOfPosition: position)
                _ = try ledger.tier(of: customer, asOfPosition: position, forecast: true)
            }
        }
    }

    /// Returns `program` with the highest earning rates that a valid program may have, or
    /// `program` itself for the cumulative scope, which takes no multipliers.
    static func generous(_ program: LoyaltyProgram) -> LoyaltyProgram {
        var candidate = program
        candidate.pointsPerUnit = 1_000
        guard candidate.earningScope == .perOrder else { return candidate }
        candidate.skuMultipliers = ["TEA-1": LoyaltyProgram.maximumMultiplier]
        candidate.categoryMultipliers = ["tea": LoyaltyProgram.maximumMultiplier]
        for index in candidate.tiers.indices { candidate.tiers[index].multiplier = LoyaltyProgram.maximumMultiplier }
        candidate.maximumPointsPerOrder = nil
        candidate.maximumPointsPerDay = nil
        return candidate
    }

    /// Exports `ledger` and imports the export into a fresh ledger with the same master key.
    static func checkExportImports(_ ledger: Ledger, program: LoyaltyProgram) throws {
        var header: ExportHeader?
        var events: [ExportedEvent] = []
        _ = try ledger.exportEvents(header: { header = $0 }) { events.append($0) }
        try LedgerOracle.checkImportMatches(
            ledger, events: events, header: header!, path: folder + "/imported", options: options(program: program))
    }
}
