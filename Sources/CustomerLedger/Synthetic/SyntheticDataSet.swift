/// A deterministic synthetic data set of Chinese customers of a tea brand, for demos, reports
/// and tests.
///
/// ```swift
/// let dataSet = try SyntheticDataSet.generate(.init(seed: 7, customerCount: 2_000))
/// try ledger.append(dataSet.events)   // registrations, purchases, refunds, feedback, ...
/// print(dataSet.digest)               // equal for equal seeds, counts, starts and months
/// ```
///
/// The same configuration gives the same events, byte for byte, with the same event ids, on
/// every platform: every choice comes from ``SeededGenerator``, and nothing reads the clock.
/// Each event's recorded-at is its occurred-at. Customers get ids 1 to N in the order they
/// register, and each customer draws from a generator of their own, so the events of a customer
/// depend on the seed, the count, the period and the customer's id only.
///
/// The generator folds every event into an in-memory projection under the given program and
/// checks it against the ledger's business rules before keeping it. Redemptions spend only
/// points that the customer's balance has at that instant, so appending the events to an empty
/// ledger with the same program succeeds. The referral rewards that the ledger adds on a referred
/// customer's first purchase only raise balances, so the checks stay valid.
public struct SyntheticDataSet: Sendable {
    /// The inputs that decide the data set.
    public struct Configuration: Equatable, Sendable {
        public var seed: UInt64
        public var customerCount: Int
        /// The first day of the period, in China Standard Time.
        public var start: CivilDate
        /// The length of the period in calendar months.
        public var months: Int

        public init(
            seed: UInt64 = 1, customerCount: Int, start: CivilDate = CivilDate(year: 2023, month: 1, day: 1)!,
            months: Int = 24
        ) {
            self.seed = seed
            self.customerCount = customerCount
            self.start = start
            self.months = months
        }

        /// The maximum customer count. A million customers make about 6.5 million events, an
        /// estimate from the 64,222 events of 10,000 customers.
        public static let maximumCustomerCount = 1_000_000
        /// The maximum period in months: ten years.
        public static let maximumMonths = 120

        /// Throws a ``SyntheticDataError`` naming the first input out of range.
        public func validate() throws(SyntheticDataError) {
            guard (1...Self.maximumCustomerCount).contains(customerCount) else {
                throw SyntheticDataError(
                    "the customer count must be between 1 and \(Self.maximumCustomerCount), got \(customerCount)")
            }
            guard (1...Self.maximumMonths).contains(months) else {
                throw SyntheticDataError("the period must be between 1 and \(Self.maximumMonths) months, got \(months)")
            }
            guard (1970...9000).contains(start.year) else {
                throw SyntheticDataError("the start must be in the years 1970 to 9000, got \(start)")
            }
        }

        /// The first instant of the period: midnight China Standard Time at ``start``.
        public var startInstant: Timestamp { SyntheticSeasons.instant(start, secondsOfDay: 0) }

        /// The first day after the period.
        public var endDate: CivilDate {
            let monthIndex = start.month - 1 + months
            let year = start.year + monthIndex / 12
            let month = monthIndex % 12 + 1
            return CivilDate(year: year, month: month, day: min(start.day, CivilDate.daysIn(month: month, year: year)))!
        }

        /// The first instant after the period: midnight China Standard Time at ``endDate``.
        public var endInstant: Timestamp { SyntheticSeasons.instant(endDate, secondsOfDay: 0) }
    }

    public let configuration: Configuration
    /// The events in append order: by occurred-at, then by customer id, then in each customer's order.
    public let events: [NewEvent]

    /// The program the data set is made for: CNY at 1 point per yuan, with days in Asia/Shanghai.
    /// A referral pays 200 points to the referrer and 100 to the new customer. A birthday pays 100
    /// points in its month, and 29 February birthdays count on 28 February in common years.
    public static var program: LoyaltyProgram {
        var program = LoyaltyProgram(currency: .cny)
        program.timeZone = "Asia/Shanghai"
        program.referral = ReferralReward(referrerPoints: 200, newCustomerPoints: 100)
        program.birthday = BirthdayReward(points: 100, timing: .inMonth, leapDayInCommonYears: .february28)
        return program
    }

    /// The actor recorded on every generated event.
    public static let actor = "synthetic-generator"
    /// The source recorded on every generated event.
    public static let source = "synthetic"

    /// Generates the data set of `configuration` for a ledger whose program is `program`.
    ///
    /// - throws: ``SyntheticDataError`` for a configuration out of range, or, which would be a
    ///   bug of the generator, for an event that breaks a business rule under `program`.
    /// - Complexity: O(n log n) for n events, about ten per customer.
    public static func generate(
        _ configuration: Configuration, program: LoyaltyProgram = SyntheticDataSet.program
    ) throws(SyntheticDataError) -> SyntheticDataSet {
        try configuration.validate()
        do {
            try program.validate()
        } catch {
            throw SyntheticDataError("the program is invalid: \(error)")
        }

        let registrations = registrationInstants(configuration)
        var workspace = ProjectionWorkspace(program: program, source: nil)
        workspace.tracksChanges = false
        workspace.reserveCapacity(configuration.customerCount)
        var context = SyntheticCustomerContext(configuration: configuration)
        var generated: [SyntheticCustomerEvent] = []
        generated.reserveCapacity(configuration.customerCount * 12)
        for (index, registeredAt) in registrations.enumerated() {
            var builder = SyntheticCustomerBuilder(
                customerID: CustomerID(UInt64(index + 1))!, registeredAt: registeredAt, context: context,
                program: program)
            try builder.build(into: &workspace, output: &generated)
            context.record(builder)
            // An order is only ever refunded by its own customer, whose events are all built now.
            workspace.orders.removeAll(keepingCapacity: true)
        }

        generated.sort { left, right in
            if left.occurredAt != right.occurredAt { return left.occurredAt < right.occurredAt }
            if left.customerID != right.customerID { return left.customerID < right.customerID }
            return left.sequence < right.sequence
        }
        let metadata = EventMetadata(actor: actor, source: source)
        let events = generated.enumerated().map { index, event in
            // The prefix makes ids grow in append order, so the event-id index grows at its end.
            NewEvent(
                id: EventID.stable(
                    "synthetic/\(configuration.seed)/\(event.customerID)/\(event.sequence)", prefix: UInt64(index + 1)),
                customerID: event.customerID, occurredAt: event.occurredAt, payload: event.payload, metadata: metadata,
                recordedAt: event.occurredAt)
        }
        return SyntheticDataSet(configuration: configuration, events: events)
    }

    /// Returns the registration instants of all customers in order, so that customer ids follow
    /// registration. Registrations grow through the period, from 60 to 140 percent of the
    /// average, and follow the shopping seasons.
    private static func registrationInstants(_ configuration: Configuration) -> [Timestamp] {
        var random = SeededGenerator(seed: configuration.seed, stream: 0)
        let firstDay = configuration.start.daysSinceEpoch
        let dayCount = configuration.endDate.daysSinceEpoch - firstDay
        let maximumWeight = 140 * SyntheticSeasons.maximumWeight
        var instants: [Timestamp] = []
        instants.reserveCapacity(configuration.customerCount)
        while instants.count < configuration.customerCount {
            let offset = Int64(random.below(Int(dayCount)))
            let day = CivilDate(daysSinceEpoch: firstDay + offset)
            let growth = 60 + Int(80 * offset / dayCount)
            guard random.below(maximumWeight) < growth * SyntheticSeasons.weight(of: day) else { continue }
            let secondsOfDay = Int64(random.integer(in: 8 * 3600...(23 * 3600 - 1)))
            instants.append(SyntheticSeasons.instant(day, secondsOfDay: secondsOfDay))
        }
        instants.sort()
        return instants
    }

    /// The number of events of each type, by type name such as `PurchaseRecorded`.
    public var countsByType: [String: Int] {
        var counts: [String: Int] = [:]
        for event in events { counts[event.payload.type?.description ?? "unknown", default: 0] += 1 }
        return counts
    }

    /// A BLAKE2b-256 hash chain over the events' encodings without encryption, as 64 hex digits.
    /// Equal digests mean equal events, ids and times included. A ledger's own head hash cannot
    /// show that, because encryption seals personal data with random nonces.
    public var digest: String {
        var hash = ChainHash.zero
        var record = ByteWriter(capacity: 512)
        var scratch = ByteWriter(capacity: 256)
        for (index, event) in events.enumerated() {
            record.reset()
            _ = EventCodec.encode(
                event, version: 0, previousDistance: 0, recordedAt: event.recordedAt ?? event.occurredAt, into: &record,
                scratch: &scratch)
            hash = record.bytes.withUnsafeBytes { HashChain.link(after: hash, position: UInt64(index + 1), record: $0) }
        }
        return hash.hex
    }
}

/// An invalid configuration of the synthetic data set, or a generated event that breaks a rule.
public struct SyntheticDataError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One generated event before the data set gives it an id.
struct SyntheticCustomerEvent {
    let customerID: CustomerID
    /// The event's place among the customer's events, from 1.
    let sequence: Int
    let occurredAt: Timestamp
    let payload: EventPayload
}
