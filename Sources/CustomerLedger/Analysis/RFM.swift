/// A customer's recency, frequency and monetary scores, each 1 (lowest fifth) to 5 (highest).
public struct RFMScores: Hashable, Sendable {
    public var recency: Int
    public var frequency: Int
    public var monetary: Int

    public init(recency: Int, frequency: Int, monetary: Int) {
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
    }

    /// The combined frequency and monetary score that the segments use: the mean of the two,
    /// rounded up, so F 2 and M 3 give 3.
    public var frequencyMonetary: Int { (frequency + monetary + 1) / 2 }
}

/// The standard RFM segments, each a set of cells of the grid of recency (R) against the
/// combined frequency and monetary score (FM, see ``RFMScores/frequencyMonetary``):
///
/// | R \ FM | 1 | 2 | 3 | 4 | 5 |
/// |---|---|---|---|---|---|
/// | 5 | new customers | potential loyalists | potential loyalists | champions | champions |
/// | 4 | promising | potential loyalists | loyal customers | champions | champions |
/// | 3 | promising | about to sleep | need attention | loyal customers | loyal customers |
/// | 2 | hibernating | hibernating | at risk | at risk | at risk |
/// | 1 | lost | hibernating | at risk | can't lose them | can't lose them |
public enum RFMSegment: String, CaseIterable, Sendable, CustomStringConvertible {
    case champions
    case loyalCustomers
    case potentialLoyalists
    case newCustomers
    case promising
    case needAttention
    case aboutToSleep
    case atRisk
    case cantLoseThem
    case hibernating
    case lost

    /// The segment's name in lowercase words, such as `can't lose them`.
    public var name: String {
        switch self {
        case .champions: "champions"
        case .loyalCustomers: "loyal customers"
        case .potentialLoyalists: "potential loyalists"
        case .newCustomers: "new customers"
        case .promising: "promising"
        case .needAttention: "need attention"
        case .aboutToSleep: "about to sleep"
        case .atRisk: "at risk"
        case .cantLoseThem: "can't lose them"
        case .hibernating: "hibernating"
        case .lost: "lost"
        }
    }

    public var description: String { name }

    /// The grid of the type's documentation: rows for R 5 down to 1, columns for FM 1 to 5.
    private static let grid: [[RFMSegment]] = [
        [.newCustomers, .potentialLoyalists, .potentialLoyalists, .champions, .champions],
        [.promising, .potentialLoyalists, .loyalCustomers, .champions, .champions],
        [.promising, .aboutToSleep, .needAttention, .loyalCustomers, .loyalCustomers],
        [.hibernating, .hibernating, .atRisk, .atRisk, .atRisk],
        [.lost, .hibernating, .atRisk, .cantLoseThem, .cantLoseThem],
    ]

    /// Returns the segment of `scores`, whose scores must each be 1 to 5.
    public static func classify(_ scores: RFMScores) -> RFMSegment {
        precondition((1...5).contains(scores.recency) && (1...5).contains(scores.frequency)
            && (1...5).contains(scores.monetary), "RFM scores must be 1 to 5, got \(scores)")
        return grid[5 - scores.recency][scores.frequencyMonetary - 1]
    }
}

/// One customer's RFM figures and scores as of an instant.
public struct CustomerRFM: Equatable, Sendable {
    public var customerID: CustomerID
    public var lastPurchaseAt: Timestamp
    /// Local calendar days from the day of the last purchase to the day of the report's instant.
    public var recencyDays: Int64
    public var purchases: Int64
    /// Purchases minus refunds, in minor units of the report's currency.
    public var netSpend: Int64
    public var scores: RFMScores
    public var segment: RFMSegment
}

/// The customers of one RFM segment.
public struct RFMSegmentSummary: Equatable, Sendable {
    public var segment: RFMSegment
    public var customers: Int
    /// The segment's share of the scored customers, 0 to 1.
    public var share: Double
    /// The segment's net spend, in minor units of the report's currency.
    public var netSpend: Int64
    /// ``netSpend`` per customer, rounded down, or 0 for an empty segment.
    public var averageNetSpend: Int64
}

/// The RFM scores and segments of every customer with a purchase as of an instant.
public struct RFMReport: Equatable, Sendable {
    public var asOf: Timestamp
    /// The currency of every amount: the program currency in force at ``asOf``.
    public var currency: Currency
    /// The scored customers, in customer order.
    public var customers: [CustomerRFM]
    /// One summary per segment, in the order of ``RFMSegment/allCases``, empty segments included.
    public var segments: [RFMSegmentSummary]
    /// Purchases and refunds in other currencies, which the figures leave out.
    public var otherCurrencyEvents: Int

    /// Returns the figures of one customer, or nil when the customer had no purchase by ``asOf``.
    /// - Complexity: O(log n) for n scored customers.
    public func customer(_ id: CustomerID) -> CustomerRFM? {
        var low = 0
        var high = customers.count
        while low < high {
            let middle = (low + high) / 2
            if customers[middle].customerID < id { low = middle + 1 } else { high = middle }
        }
        return low < customers.count && customers[low].customerID == id ? customers[low] : nil
    }
}

/// Quintile scores by rank, with ties sharing a score.
enum QuintileScore {
    /// Returns the score of each value: 1 + ⌊5 × below / n⌋, where `below` counts the values
    /// strictly lower than this one and n all values. Equal values therefore get the same
    /// score, that of the lowest rank they share, and the highest values score 5 only when
    /// at least four fifths of the values are lower.
    static func scores(_ values: [Int64]) -> [Int] {
        let sorted = values.sorted()
        let count = sorted.count
        return values.map { value in
            // The first index whose value is not lower: the number of lower values.
            var low = 0
            var high = count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < value { low = middle + 1 } else { high = middle }
            }
            return 1 + 5 * low / count
        }
    }
}

extension Ledger {
    /// Scores every customer who made a purchase at or before `instant` on recency, frequency
    /// and monetary value, and sorts them into the segments of ``RFMSegment``.
    ///
    /// Recency ranks the local day of the last purchase (a later day scores higher), frequency
    /// the number of purchases, and monetary value the net spend: purchases minus refunds. Each
    /// counts the events that occurred at or before `instant`, in the program currency in force
    /// then, and the local days of the program's time zone. Each score is the quintile of the
    /// customer's rank, 1 + ⌊5 × (customers with a lower value) / (customers)⌋, so that equal
    /// values share a score.
    /// - Complexity: O(N + C log C) for N events and C customers: one scan of the log.
    @available(*, noasync)
    public func rfm(asOf instant: Timestamp) throws -> RFMReport {
        let snapshot = try environment.read { txn in try activitySnapshot(txn, asOf: instant) }
        return try Self.rfm(snapshot)
    }

    /// Scores the customers of `snapshot` who made a purchase.
    static func rfm(_ snapshot: ActivitySnapshot) throws -> RFMReport {
        let today = snapshot.calendar.localDate(of: snapshot.asOf).daysSinceEpoch
        var buyers: [(id: CustomerID, activity: CustomerActivity, lastDay: Int64)] = []
        for (id, activity) in snapshot.customers {
            guard let last = activity.lastPurchaseAt else { continue }
            buyers.append((id, activity, snapshot.calendar.localDate(of: last).daysSinceEpoch))
        }
        buyers.sort { $0.id < $1.id }

        let recency = QuintileScore.scores(buyers.map(\.lastDay))
        let frequency = QuintileScore.scores(buyers.map(\.activity.purchases))
        let monetary = QuintileScore.scores(buyers.map(\.activity.netSpend))
        var customers: [CustomerRFM] = []
        customers.reserveCapacity(buyers.count)
        for (index, buyer) in buyers.enumerated() {
            let scores = RFMScores(recency: recency[index], frequency: frequency[index], monetary: monetary[index])
            customers.append(
                CustomerRFM(
                    customerID: buyer.id, lastPurchaseAt: buyer.activity.lastPurchaseAt!,
                    recencyDays: today - buyer.lastDay, purchases: buyer.activity.purchases,
                    netSpend: buyer.activity.netSpend, scores: scores, segment: RFMSegment.classify(scores)))
        }

        var segments = RFMSegment.allCases.map {
            RFMSegmentSummary(segment: $0, customers: 0, share: 0, netSpend: 0, averageNetSpend: 0)
        }
        let slot = Dictionary(uniqueKeysWithValues: RFMSegment.allCases.enumerated().map { ($1, $0) })
        for customer in customers {
            let index = slot[customer.segment]!
            segments[index].customers += 1
            segments[index].netSpend = try AnalysisMath.add(
                segments[index].netSpend, customer.netSpend, figure: "the net spend of the segment \(customer.segment)")
        }
        for index in segments.indices {
            segments[index].share = AnalysisMath.ratio(segments[index].customers, customers.count)
            segments[index].averageNetSpend = AnalysisMath.floorDivide(
                segments[index].netSpend, by: Int64(segments[index].customers))
        }
        return RFMReport(
            asOf: snapshot.asOf, currency: snapshot.currency, customers: customers, segments: segments,
            otherCurrencyEvents: snapshot.otherCurrencyEvents)
    }
}
