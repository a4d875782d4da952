/// The customers whose first purchase fell in one month, and how many of them bought again in
/// each later month.
public struct Cohort: Equatable, Sendable {
    /// The local month of the cohort's first purchases.
    public var month: YearMonth
    public var customers: Int
    /// Element k counts the cohort's customers with at least one purchase in the k-th month
    /// after ``month``, from month 0, which is ``customers``, to the month of the report's instant.
    public var active: [Int]

    /// Returns the share of the cohort that made a purchase in month `offset`, 0 to 1, or 0 for
    /// a month outside ``active``.
    public func retention(_ offset: Int) -> Double {
        active.indices.contains(offset) ? AnalysisMath.ratio(active[offset], customers) : 0
    }
}

/// Retention by cohort of first purchase, as of an instant.
public struct CohortReport: Equatable, Sendable {
    public var asOf: Timestamp
    /// The cohorts in month order. A month without first purchases has no cohort.
    public var cohorts: [Cohort]
}

extension Ledger {
    /// Groups the customers who made a purchase at or before `instant` by the local month of
    /// their first purchase. For each later month up to the month of `instant`, it counts how
    /// many of each group made a purchase in that month.
    ///
    /// Purchases of every currency and amount count, zero-amount ones included. Months are
    /// local to the time zone of the program in force at `instant`. The month of `instant` is
    /// counted up to `instant` only, so its figures can still grow.
    /// - Complexity: O(N + P log P) for N events and P purchases: one scan of the log.
    @available(*, noasync)
    public func cohortRetention(asOf instant: Timestamp) throws -> CohortReport {
        try environment.read { txn in
            let calendar = try schema.timeline(txn).program(at: instant).calendar
            // The months of each customer's purchases, as YearMonth indexes, in the order read.
            var months: [CustomerID: [Int32]] = [:]
            try scanForAnalysis(txn, lineItems: false) { customer, occurredAt, event in
                guard case .purchase = event, occurredAt <= instant else { return }
                months[customer, default: []].append(Int32(calendar.yearMonth(of: occurredAt).index))
            }
            let lastMonth = calendar.yearMonth(of: instant).index

            var cohorts: [Int: Cohort] = [:]
            for var purchaseMonths in months.values {
                purchaseMonths.sort()
                let first = Int(purchaseMonths[0])
                var cohort = cohorts[first]
                    ?? Cohort(
                        month: YearMonth(index: first), customers: 0, active: Array(repeating: 0, count: lastMonth - first + 1))
                cohort.customers += 1
                var previous = -1
                for month in purchaseMonths where Int(month) != previous {
                    cohort.active[Int(month) - first] += 1
                    previous = Int(month)
                }
                cohorts[first] = cohort
            }
            return CohortReport(asOf: instant, cohorts: cohorts.keys.sorted().map { cohorts[$0]! })
        }
    }
}
