/// Sales of one SKU in a period, from the line items of purchases.
public struct SKUSales: Equatable, Sendable {
    public var sku: String
    /// The sum of quantity × unit price over the SKU's line items, in minor units. It is before
    /// any order discount and before refunds, because refunds name an order, not its lines.
    public var revenue: Int64
    public var units: Int64
    /// The purchases with at least one line of the SKU.
    public var orders: Int
}

/// Purchases and refunds of one local month.
public struct MonthlyRevenue: Equatable, Sendable {
    public var month: YearMonth
    /// Purchases that occurred in the month.
    public var orders: Int
    /// The amounts of those purchases, in minor units.
    public var gross: Int64
    /// Refunds that occurred in the month, whatever the month of the order they refund.
    public var refunds: Int64
    public var net: Int64
}

/// Purchase behaviour over a period: SKUs, repeat purchases, order value and monthly revenue.
public struct PurchaseReport: Equatable, Sendable {
    /// The start of the period, inclusive, or nil for the start of the log.
    public var from: Timestamp?
    /// The end of the period, exclusive, or nil for the end of the log.
    public var to: Timestamp?
    /// The currency of every amount: the program currency in force at the end of the period.
    public var currency: Currency
    public var orders: Int
    /// Customers with at least one purchase in the period.
    public var customers: Int
    /// Customers with at least two purchases in the period.
    public var repeatCustomers: Int
    /// ``repeatCustomers`` / ``customers``, 0 to 1.
    public var repeatPurchaseRate: Double
    /// The amounts of the period's purchases, in minor units.
    public var grossRevenue: Int64
    /// The amounts of the period's refunds, in minor units.
    public var refunds: Int64
    public var netRevenue: Int64
    /// ``grossRevenue`` / ``orders``, rounded down, or 0 without orders.
    public var averageOrderValue: Int64
    /// The SKUs with the highest revenue, ties in SKU order.
    public var topSKUsByRevenue: [SKUSales]
    /// The SKUs with the most units sold, ties in SKU order.
    public var topSKUsByUnits: [SKUSales]
    /// Every month from the first to the last with a purchase or refund in the period, in order,
    /// months without any included.
    public var months: [MonthlyRevenue]
    /// Purchases and refunds in the period in another currency, which the figures leave out.
    public var otherCurrencyEvents: Int
}

extension Ledger {
    /// Sums the purchases and refunds that occurred in `[from, to)`: revenue by SKU from line
    /// items, the repeat purchase rate, the average order value and the revenue of each month.
    ///
    /// Amounts count in the program currency in force at the end of the period. A refund counts
    /// in the month it occurred, not in the month of its order, so a month's net revenue can be
    /// negative. Months are local to that program's time zone.
    /// - parameter limit: the number of SKUs in each top list, 1 or more.
    /// - Complexity: O(N + S log S) for N events and S SKUs: one scan of the log.
    @available(*, noasync)
    public func purchaseBehaviour(from: Timestamp?, to: Timestamp?, topSKUs limit: Int = 10) throws -> PurchaseReport {
        precondition(limit >= 1, "the SKU list limit must be 1 or more, got \(limit)")
        return try environment.read { txn in
            let end = to.map { Timestamp(microseconds: $0.microseconds - 1) } ?? Timestamp.supportedRange.upperBound
            let program = try schema.timeline(txn).program(at: end)
            var tally = PurchaseTally(currency: program.currency, calendar: program.calendar)
            try scanForAnalysis(txn, lineItems: true) { customer, occurredAt, event in
                if let from, occurredAt < from { return }
                if let to, occurredAt >= to { return }
                try tally.add(event, customer: customer, at: occurredAt)
            }
            return try tally.report(from: from, to: to, limit: limit)
        }
    }
}

/// The running totals of ``Ledger/purchaseBehaviour(from:to:topSKUs:)``.
private struct PurchaseTally {
    struct SKUTotals {
        var revenue: Int64 = 0
        var units: Int64 = 0
        var orders = 0
        /// The serial of the last order counted in ``orders``, so that two lines of one SKU in
        /// one order count once.
        var lastOrder = -1
    }

    let currency: Currency
    let calendar: ZonedCalendar
    var orders = 0
    var ordersByCustomer: [CustomerID: Int] = [:]
    var gross: Int64 = 0
    var refunds: Int64 = 0
    var skus: [String: SKUTotals] = [:]
    var months: [Int: MonthlyRevenue] = [:]
    var otherCurrencyEvents = 0

    init(currency: Currency, calendar: ZonedCalendar) {
        self.currency = currency
        self.calendar = calendar
    }

    mutating func add(_ event: AnalysisEvent, customer: CustomerID, at instant: Timestamp) throws {
        switch event {
        case .purchase(let amount, let lineItems):
            guard amount.currency == currency else {
                otherCurrencyEvents += 1
                return
            }
            let serial = orders
            orders += 1
            ordersByCustomer[customer, default: 0] += 1
            gross = try AnalysisMath.add(gross, amount.minorUnits, figure: "the gross revenue")
            let month = calendar.yearMonth(of: instant)
            var monthly = months[month.index] ?? MonthlyRevenue(month: month, orders: 0, gross: 0, refunds: 0, net: 0)
            monthly.orders += 1
            monthly.gross = try AnalysisMath.add(monthly.gross, amount.minorUnits, figure: "the gross revenue of \(month)")
            months[month.index] = monthly
            for item in lineItems {
                try addLine(item, order: serial)
            }
        case .refund(let amount):
            guard amount.currency == currency else {
                otherCurrencyEvents += 1
                return
            }
            refunds = try AnalysisMath.add(refunds, amount.minorUnits, figure: "the refunds")
            let month = calendar.yearMonth(of: instant)
            var monthly = months[month.index] ?? MonthlyRevenue(month: month, orders: 0, gross: 0, refunds: 0, net: 0)
            monthly.refunds = try AnalysisMath.add(monthly.refunds, amount.minorUnits, figure: "the refunds of \(month)")
            months[month.index] = monthly
        case .registered, .profileUpdated, .feedback:
            break
        }
    }

    private mutating func addLine(_ item: LineItem, order serial: Int) throws {
        let (revenue, overflow) = item.quantity.multipliedReportingOverflow(by: item.unitPrice)
        if overflow { throw AnalysisOverflowError(figure: "the revenue of a line of SKU '\(item.sku)'") }
        var totals = skus[item.sku] ?? SKUTotals()
        totals.revenue = try AnalysisMath.add(totals.revenue, revenue, figure: "the revenue of SKU '\(item.sku)'")
        totals.units = try AnalysisMath.add(totals.units, item.quantity, figure: "the units of SKU '\(item.sku)'")
        if totals.lastOrder != serial {
            totals.orders += 1
            totals.lastOrder = serial
        }
        skus[item.sku] = totals
    }

    func report(from: Timestamp?, to: Timestamp?, limit: Int) throws -> PurchaseReport {
        let sales = skus.map { SKUSales(sku: $0.key, revenue: $0.value.revenue, units: $0.value.units, orders: $0.value.orders) }
        let byRevenue = sales.sorted { $0.revenue != $1.revenue ? $0.revenue > $1.revenue : $0.sku < $1.sku }
        let byUnits = sales.sorted { $0.units != $1.units ? $0.units > $1.units : $0.sku < $1.sku }

        var monthly: [MonthlyRevenue] = []
        if let first = months.keys.min(), let last = months.keys.max() {
            for index in first...last {
                var month = months[index]
                    ?? MonthlyRevenue(month: YearMonth(index: index), orders: 0, gross: 0, refunds: 0, net: 0)
                month.net = month.gross - month.refunds
                monthly.append(month)
            }
        }
        let customers = ordersByCustomer.count
        let repeatCustomers = ordersByCustomer.values.filter { $0 >= 2 }.count
        let net = gross.subtractingReportingOverflow(refunds)
        if net.overflow { throw AnalysisOverflowError(figure: "the net revenue") }
        return PurchaseReport(
            from: from, to: to, currency: currency, orders: orders, customers: customers,
            repeatCustomers: repeatCustomers, repeatPurchaseRate: AnalysisMath.ratio(repeatCustomers, customers),
            grossRevenue: gross, refunds: refunds, netRevenue: net.partialValue,
            averageOrderValue: AnalysisMath.floorDivide(gross, by: Int64(orders)),
            topSKUsByRevenue: Array(byRevenue.prefix(limit)), topSKUsByUnits: Array(byUnits.prefix(limit)),
            months: monthly, otherCurrencyEvents: otherCurrencyEvents)
    }
}
