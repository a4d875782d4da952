/// The level at which ``Ledger/regions(by:asOf:)`` groups customers.
public enum RegionLevel: String, CaseIterable, Sendable {
    case province
    /// A city within its province, so that two cities of one name in different provinces stay apart.
    case city
}

/// The customers of one province, or of one city, and their spend.
public struct RegionSummary: Equatable, Sendable {
    /// The province, or an empty string for customers without one.
    public var province: String
    /// The city, or an empty string at the province level and for customers without one.
    public var city: String
    /// Customers registered by the report's instant.
    public var customers: Int
    /// Those of ``customers`` with at least one purchase.
    public var purchasingCustomers: Int
    /// Purchases minus refunds, in minor units of the report's currency.
    public var netSpend: Int64
    /// ``netSpend`` / ``customers``, rounded down.
    public var averageNetSpend: Int64
}

/// Customers and spend by region as of an instant.
public struct RegionReport: Equatable, Sendable {
    public var asOf: Timestamp
    public var level: RegionLevel
    /// The currency of every amount: the program currency in force at ``asOf``.
    public var currency: Currency
    /// The regions by net spend, highest first, then by province and city.
    public var regions: [RegionSummary]
    /// Purchases and refunds in other currencies, which the figures leave out.
    public var otherCurrencyEvents: Int
}

extension Ledger {
    /// Counts the customers registered at or before `instant` by province or city, with their
    /// net spend (purchases minus refunds) up to `instant` in the program currency in force then.
    ///
    /// A customer counts in the province and city of their profile as of `instant`: the
    /// registration's, changed by the profile updates that occurred by then. Both are stored in
    /// clear, so the report needs no master key and works for every role.
    /// - Complexity: O(N + C log C) for N events and C customers: one scan of the log.
    @available(*, noasync)
    public func regions(by level: RegionLevel, asOf instant: Timestamp) throws -> RegionReport {
        let snapshot = try environment.read { txn in try activitySnapshot(txn, asOf: instant) }
        struct Key: Hashable {
            var province: String
            var city: String
        }
        var regions: [Key: RegionSummary] = [:]
        for activity in snapshot.customers.values {
            let key = Key(province: activity.province, city: level == .city ? activity.city : "")
            var region = regions[key]
                ?? RegionSummary(
                    province: key.province, city: key.city, customers: 0, purchasingCustomers: 0, netSpend: 0,
                    averageNetSpend: 0)
            region.customers += 1
            if activity.purchases > 0 { region.purchasingCustomers += 1 }
            region.netSpend = try AnalysisMath.add(
                region.netSpend, activity.netSpend, figure: "the net spend of the region '\(key.province) \(key.city)'")
            regions[key] = region
        }
        var sorted = Array(regions.values)
        for index in sorted.indices {
            sorted[index].averageNetSpend = AnalysisMath.floorDivide(sorted[index].netSpend, by: Int64(sorted[index].customers))
        }
        sorted.sort { left, right in
            if left.netSpend != right.netSpend { return left.netSpend > right.netSpend }
            if left.province != right.province { return left.province < right.province }
            return left.city < right.city
        }
        return RegionReport(
            asOf: instant, level: level, currency: snapshot.currency, regions: sorted,
            otherCurrencyEvents: snapshot.otherCurrencyEvents)
    }
}
