/// The report's tier distribution: customers per tier of the ladder.
enum TierSection {
    static func render(_ data: ReportData) -> ReportSection {
        let total = max(1, data.customers)
        let bars = data.tiers.enumerated().map { index, tier in
            HorizontalBarChart.Bar(
                label: tier.name, value: Double(tier.customers), valueText: Formatting.grouped(tier.customers),
                color: ChartLayout.rank(index, of: data.tiers.count))
        }
        var table = HTMLTable(
            caption: "Customers per tier",
            columns: [.init("Tier"), .init("Customers", numeric: true), .init("Share", numeric: true)])
        for tier in data.tiers {
            table.addRow(
                [tier.name, Formatting.grouped(tier.customers), HTMLText.percent(Double(tier.customers) / Double(total))],
                key: tier.name)
        }
        table.addTotal(["All", Formatting.grouped(data.customers), HTMLText.percent(data.customers > 0 ? 1 : 0)])
        return ReportSection(
            id: "tiers", title: "Tier distribution",
            summary: "Customers in each tier of the loyalty ladder as of \(Formatting.instant(data.asOf)), "
                + "among the \(Formatting.grouped(data.customers)) customers registered by then.",
            chart: HorizontalBarChart(bars: bars).render(title: "Customers per tier"), table: table.render())
    }
}
