/// The report's complaints over time: feedback per month, complaints and the rest.
enum ComplaintSection {
    static func render(_ data: ReportData) -> ReportSection {
        var table = HTMLTable(
            caption: "Feedback and complaints per month",
            columns: [
                .init("Month"), .init("Feedback", numeric: true), .init("Complaints", numeric: true),
                .init("Complaint rate", numeric: true),
            ])
        for month in data.feedbackMonths {
            table.addRow(
                [month.month, Formatting.grouped(month.feedback), Formatting.grouped(month.complaints), HTMLText.percent(month.rate)],
                key: month.month)
        }
        let totalRate = data.feedbackTotal > 0 ? Double(data.complaintsTotal) / Double(data.feedbackTotal) : 0
        table.addTotal([
            "Total", Formatting.grouped(data.feedbackTotal), Formatting.grouped(data.complaintsTotal), HTMLText.percent(totalRate),
        ])

        let chart: String
        if data.feedbackMonths.isEmpty {
            chart = ReportSection.emptyChart("No feedback recorded up to \(Formatting.instant(data.asOf)).")
        } else {
            let columns = data.feedbackMonths.map { month in
                StackedColumnChart.Column(
                    label: month.month, values: [Double(month.complaints), Double(month.feedback - month.complaints)],
                    valueTexts: [Formatting.grouped(month.complaints), Formatting.grouped(month.feedback - month.complaints)])
            }
            chart = StackedColumnChart(
                series: [
                    .init(name: "complaints", color: ChartLayout.complaint), .init(name: "other feedback", color: ChartLayout.muted),
                ],
                columns: columns, unit: "feedback"
            ).render(title: "Complaints and other feedback per month")
        }
        return ReportSection(
            id: "complaints", title: "Complaints over time",
            summary: "Feedback from surveys, phone call-backs and online reviews per month, with the answers flagged as "
                + "complaints at the bottom of each column, up to \(Formatting.instant(data.asOf)).",
            chart: chart, table: table.render())
    }
}
