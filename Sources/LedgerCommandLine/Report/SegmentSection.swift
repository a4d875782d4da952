/// The report's RFM segments: customers per segment of recency, frequency and monetary scores.
enum SegmentSection {
    static func color(of activity: ReportData.SegmentRow.Activity) -> String {
        switch activity {
        case .active: ChartLayout.good
        case .slipping: ChartLayout.warning
        case .lapsing: ChartLayout.complaint
        }
    }

    static func render(_ data: ReportData) -> ReportSection {
        let code = data.currency.code
        var table = HTMLTable(
            caption: "Customers and net spend in \(code) per RFM segment",
            columns: [
                .init("Segment"), .init("Customers", numeric: true), .init("Share", numeric: true),
                .init("Net spend", numeric: true), .init("Average", numeric: true),
            ])
        for segment in data.segments {
            table.addRow(
                [
                    segment.name, Formatting.grouped(segment.customers), HTMLText.percent(segment.share),
                    HTMLText.amount(segment.netSpend, data.currency), HTMLText.amount(segment.averageNetSpend, data.currency),
                ], key: segment.name)
        }
        let bars = data.segments.map { segment in
            HorizontalBarChart.Bar(
                label: segment.name, value: Double(segment.customers), valueText: Formatting.grouped(segment.customers),
                color: color(of: segment.activity))
        }
        let buyers = data.segments.reduce(0) { $0 + $1.customers }
        let chart = buyers == 0
            ? ReportSection.emptyChart("No purchases up to \(Formatting.instant(data.asOf)).")
            : HorizontalBarChart(bars: bars).render(title: "Customers per RFM segment")
        return ReportSection(
            id: "segments", title: "RFM segments",
            summary: "The \(Formatting.grouped(buyers)) customers with purchases, by segment of their recency, frequency "
                + "and monetary scores as of \(Formatting.instant(data.asOf)). Green segments buy recently or often, "
                + "amber ones are slipping, and red ones are at risk or gone.",
            chart: chart, table: table.render())
    }
}
