/// The report's revenue by region: net spend of the customers of each province.
enum RegionSection {
    /// The maximum provinces in the chart, which leaves the others to the table.
    static let chartedRegions = 20

    static func render(_ data: ReportData) -> ReportSection {
        let code = data.currency.code
        var table = HTMLTable(
            caption: "Customers and net spend in \(code) by province",
            columns: [
                .init("Province"), .init("Customers", numeric: true), .init("Buyers", numeric: true),
                .init("Net spend", numeric: true), .init("Per customer", numeric: true),
            ])
        for region in data.regions {
            table.addRow(
                [
                    name(of: region), Formatting.grouped(region.customers), Formatting.grouped(region.buyers),
                    HTMLText.amount(region.netSpend, data.currency), HTMLText.amount(region.averageNetSpend, data.currency),
                ], key: name(of: region))
        }
        let bars = data.regions.prefix(chartedRegions).map { region in
            HorizontalBarChart.Bar(
                label: name(of: region), value: Double(region.netSpend), valueText: HTMLText.amount(region.netSpend, data.currency),
                color: ChartLayout.primary)
        }
        let chart = bars.isEmpty
            ? ReportSection.emptyChart("No customers up to \(Formatting.instant(data.asOf)).")
            : HorizontalBarChart(bars: bars).render(title: "Net spend in \(code) by province")
        let coverage = data.regions.count > chartedRegions ? "the \(chartedRegions) highest in the chart, all in the table" : "highest first"
        return ReportSection(
            id: "regions", title: "Revenue by region",
            summary: "Net spend in \(code) of the customers of each province, by their province at "
                + "\(Formatting.instant(data.asOf)), \(coverage).",
            chart: chart, table: table.render())
    }

    static func name(of region: ReportData.RegionRow) -> String {
        region.province.isEmpty ? "(no province)" : region.province
    }
}
