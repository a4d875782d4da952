/// The report's cohort retention: per month of first purchase, the share who bought again later.
enum CohortSection {
    static func render(_ data: ReportData) -> ReportSection {
        let offsets = data.cohorts.map(\.active.count).max() ?? 0
        var columns: [HTMLTable.Column] = [.init("Cohort"), .init("Customers", numeric: true)]
        columns += (0..<offsets).map { .init("M\($0)", numeric: true) }
        var table = HTMLTable(caption: "Share of each cohort that bought in month k after its first purchase", columns: columns)
        for cohort in data.cohorts {
            var cells = [cohort.month, Formatting.grouped(cohort.customers)]
            cells += (0..<offsets).map { offset in
                cohort.active.indices.contains(offset) ? HTMLText.percent(cohort.retention(offset)) : ""
            }
            table.addRow(cells, key: cohort.month)
        }
        let chart = data.cohorts.isEmpty
            ? ReportSection.emptyChart("No purchases up to \(Formatting.instant(data.asOf)).")
            : CohortHeatmap(cohorts: data.cohorts).render(title: "Cohort retention heat map")
        return ReportSection(
            id: "cohorts", title: "Cohort retention",
            summary: "Customers grouped by the month of their first purchase; each cell is the share of the group that "
                + "bought in the k-th month after it. Month 0 is 100% by definition, and the shading spans months 1 and later.",
            chart: chart, table: table.render(), isTableWide: true)
    }
}
