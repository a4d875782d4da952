import CustomerLedger

/// The figures of the HTML report, gathered from the ledger's analyses as of one instant.
///
/// The charts and tables read only these plain values, so that tests can build a report from
/// figures of their choice.
struct ReportData {
    struct TierRow {
        let name: String
        let customers: Int
    }

    struct MonthRow: MonthlyRow {
        /// The month as `YYYY-MM`.
        let month: String
        let orders: Int
        let gross: Int64
        let refunds: Int64
        let net: Int64
    }

    struct CohortRow {
        /// The month of the cohort's first purchases, as `YYYY-MM`.
        let month: String
        let customers: Int
        /// Element k counts the customers who bought in the k-th month after ``month``.
        let active: [Int]

        /// Returns the share of the cohort that bought in month `offset`, 0 to 1.
        func retention(_ offset: Int) -> Double {
            customers > 0 && active.indices.contains(offset) ? Double(active[offset]) / Double(customers) : 0
        }
    }

    struct RegionRow {
        /// The province, or an empty string for customers without one.
        let province: String
        let customers: Int
        let buyers: Int
        let netSpend: Int64
        let averageNetSpend: Int64
    }

    struct SegmentRow {
        /// The purchase activity of the segment's customers, which sets its colour.
        enum Activity {
            /// Buying recently or often: champions to promising.
            case active
            /// Slipping: need attention and about to sleep.
            case slipping
            /// At risk or gone: at risk, can't lose them, hibernating and lost.
            case lapsing
        }

        let name: String
        let activity: Activity
        let customers: Int
        /// The share of the customers with purchases, 0 to 1.
        let share: Double
        let netSpend: Int64
        let averageNetSpend: Int64
    }

    struct FeedbackMonthRow: MonthlyRow {
        let month: String
        let feedback: Int
        let complaints: Int

        var rate: Double { feedback > 0 ? Double(complaints) / Double(feedback) : 0 }
    }

    /// The ledger's folder name, for the heading.
    var ledgerName: String
    var asOf: Timestamp
    /// The program currency at ``asOf``, in which every amount is counted.
    var currency: Currency
    /// Customers registered at ``asOf``.
    var customers: Int
    /// Events in the log, whatever their occurred-at.
    var events: UInt64
    var tiers: [TierRow]
    var months: [MonthRow]
    var cohorts: [CohortRow]
    /// Provinces by net spend, highest first.
    var regions: [RegionRow]
    var segments: [SegmentRow]
    var feedbackMonths: [FeedbackMonthRow]
    var feedbackTotal: Int
    var complaintsTotal: Int
}

extension ReportData {
    /// Gathers the report's figures from `ledger` as of `instant`: events that occurred at or
    /// before it, tiers evaluated at it.
    @available(*, noasync)
    static func collect(from ledger: Ledger, asOf instant: Timestamp, ledgerName: String) throws -> ReportData {
        let program = try ledger.program(asOf: instant)
        let tierCounts = try TiersCommand.distribution(ledger, asOf: instant, program: program)
        // The purchase and feedback periods exclude their end, so they end one microsecond after the instant.
        let end = Timestamp(microseconds: instant.microseconds + 1)
        let purchases = try ledger.purchaseBehaviour(from: nil, to: end, topSKUs: 1)
        let cohorts = try ledger.cohortRetention(asOf: instant)
        let regions = try ledger.regions(by: .province, asOf: instant)
        let rfm = try ledger.rfm(asOf: instant)
        let feedback = try ledger.feedbackSummary(from: nil, to: end)

        let monthRows = purchases.months.map {
            MonthRow(month: $0.month.description, orders: $0.orders, gross: $0.gross, refunds: $0.refunds, net: $0.net)
        }
        let feedbackRows = feedback.byMonth.map { FeedbackMonthRow(month: $0.key, feedback: $0.feedback, complaints: $0.complaints) }
        return ReportData(
            ledgerName: ledgerName, asOf: instant, currency: purchases.currency, customers: tierCounts.reduce(0, +),
            events: try ledger.statistics().eventCount,
            tiers: zip(program.tiers, tierCounts).map { TierRow(name: $0.name, customers: $1) },
            months: filledMonths(monthRows) { MonthRow(month: $0, orders: 0, gross: 0, refunds: 0, net: 0) },
            cohorts: cohorts.cohorts.map { CohortRow(month: $0.month.description, customers: $0.customers, active: $0.active) },
            regions: regions.regions.map {
                RegionRow(
                    province: $0.province, customers: $0.customers, buyers: $0.purchasingCustomers, netSpend: $0.netSpend,
                    averageNetSpend: $0.averageNetSpend)
            },
            segments: rfm.segments.map {
                SegmentRow(
                    name: $0.segment.name, activity: activity(of: $0.segment), customers: $0.customers, share: $0.share, netSpend: $0.netSpend,
                    averageNetSpend: $0.averageNetSpend)
            },
            feedbackMonths: filledMonths(feedbackRows) { FeedbackMonthRow(month: $0, feedback: 0, complaints: 0) },
            feedbackTotal: feedback.total, complaintsTotal: feedback.complaints)
    }

    static func activity(of segment: RFMSegment) -> SegmentRow.Activity {
        switch segment {
        case .champions, .loyalCustomers, .potentialLoyalists, .newCustomers, .promising: .active
        case .needAttention, .aboutToSleep: .slipping
        case .atRisk, .cantLoseThem, .hibernating, .lost: .lapsing
        }
    }

    /// Returns `rows`, sorted by their `YYYY-MM` month, with a row from `empty` for each month
    /// missing between the first and the last, so that a chart's time axis has no gaps.
    static func filledMonths<Row: MonthlyRow>(_ rows: [Row], empty: (String) -> Row) -> [Row] {
        let byMonth = Dictionary(rows.map { ($0.month, $0) }, uniquingKeysWith: { first, _ in first })
        guard let first = byMonth.keys.min().flatMap(monthIndex), let last = byMonth.keys.max().flatMap(monthIndex) else {
            return rows
        }
        return (first...last).map { index in
            let text = monthText(index)
            return byMonth[text] ?? empty(text)
        }
    }

    /// Returns the months since January of year 0 of a `YYYY-MM` text, or nil for other text.
    static func monthIndex(_ text: String) -> Int? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        return year * 12 + month - 1
    }

    static func monthText(_ index: Int) -> String {
        let month = index % 12 + 1
        return "\(index / 12)-\(month < 10 ? "0" : "")\(month)"
    }
}

/// A row of figures for one month, as `YYYY-MM`.
protocol MonthlyRow {
    var month: String { get }
}
