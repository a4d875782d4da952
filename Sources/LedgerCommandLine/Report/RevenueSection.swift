/// The report's monthly revenue: net revenue and refunds per month.
enum RevenueSection {
    static func render(_ data: ReportData) -> ReportSection {
        let code = data.currency.code
        let unit = Double(data.currency.minorUnitsPerUnit)
        var table = HTMLTable(
            caption: "Revenue per month in \(code)",
            columns: [
                .init("Month"), .init("Orders", numeric: true), .init("Gross", numeric: true),
                .init("Refunds", numeric: true), .init("Net", numeric: true),
            ])
        for month in data.months {
            table.addRow(
                [
                    month.month, Formatting.grouped(month.orders), HTMLText.amount(month.gross, data.currency),
                    HTMLText.amount(month.refunds, data.currency), HTMLText.amount(month.net, data.currency),
                ], key: month.month)
        }
        table.addTotal([
            "Total", Formatting.grouped(data.months.reduce(0) { $0 + $1.orders }),
            HTMLText.amount(data.months.reduce(0) { $0 + $1.gross }, data.currency),
            HTMLText.amount(data.months.reduce(0) { $0 + $1.refunds }, data.currency),
            HTMLText.amount(data.months.reduce(0) { $0 + $1.net }, data.currency),
        ])

        let chart: String
        if data.months.isEmpty {
            chart = ReportSection.emptyChart("No purchases in \(code) up to \(Formatting.instant(data.asOf)).")
        } else {
            // A column is the month's gross revenue: its net revenue with the refunds dated in it on top.
            let columns = data.months.map { month in
                StackedColumnChart.Column(
                    label: month.month, values: [Double(max(0, month.net)) / unit, Double(month.refunds) / unit],
                    valueTexts: [HTMLText.amount(month.net, data.currency), HTMLText.amount(month.refunds, data.currency)])
            }
            chart = StackedColumnChart(
                series: [.init(name: "net revenue", color: ChartLayout.primary), .init(name: "refunds", color: ChartLayout.secondary)],
                columns: columns, unit: code
            ).render(title: "Revenue per month in \(code)")
        }
        return ReportSection(
            id: "revenue", title: "Monthly revenue",
            summary: "Gross revenue of the purchases in \(code) per month, split into net revenue and the refunds dated in "
                + "that month, up to \(Formatting.instant(data.asOf)).",
            chart: chart, table: table.render())
    }
}
