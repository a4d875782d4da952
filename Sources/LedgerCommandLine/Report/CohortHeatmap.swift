/// A heat map of cohort retention: one row per cohort month, one column per month after it, each
/// cell shaded by the share of the cohort that bought in that month.
struct CohortHeatmap {
    let cohorts: [ReportData.CohortRow]
    var cellWidth: Double = 34
    var cellHeight: Double = 20
    var fontSize: Double = 10

    func render(title: String) -> String {
        let offsets = cohorts.map(\.active.count).max() ?? 0
        let rowLabelWidth = (cohorts.map { ChartLayout.textWidth($0.month, size: fontSize + 1) }.max() ?? 0) + 10
        let sizeWidth = ChartLayout.textWidth("n = 00,000", size: fontSize) + 8
        let left = rowLabelWidth + sizeWidth
        let top = 34.0
        var canvas = SVGCanvas(
            width: left + cellWidth * Double(max(1, offsets)) + 8, height: top + cellHeight * Double(cohorts.count) + 8)
        // Month 0 is 100% by definition, so the shading spans the later months only.
        let maximum = cohorts.flatMap { cohort in (1..<max(1, cohort.active.count)).map { cohort.retention($0) } }.max() ?? 0

        canvas.text("months after the first purchase", x: left, y: 12, size: fontSize + 1, fill: ChartLayout.axis)
        for offset in 0..<offsets {
            canvas.text(
                "M\(offset)", x: left + cellWidth * (Double(offset) + 0.5), y: top - 6, anchor: .middle, size: fontSize,
                fill: ChartLayout.axis)
        }
        for (row, cohort) in cohorts.enumerated() {
            let y = top + cellHeight * Double(row)
            let middle = y + cellHeight / 2 + fontSize * 0.35
            canvas.text(cohort.month, x: rowLabelWidth - 6, y: middle, anchor: .end, size: fontSize + 1)
            canvas.text("n = \(Formatting.grouped(cohort.customers))", x: rowLabelWidth, y: middle, size: fontSize, fill: ChartLayout.axis)
            for offset in cohort.active.indices {
                let share = cohort.retention(offset)
                let shade = offset == 0 ? 0.15 : (maximum > 0 ? share / maximum : 0)
                let x = left + cellWidth * Double(offset)
                canvas.rectangle(
                    x: x + 0.5, y: y + 0.5, width: cellWidth - 1, height: cellHeight - 1, fill: ChartLayout.heat(shade),
                    tooltip: "\(cohort.month) M\(offset): \(HTMLText.percent(share)) (\(cohort.active[offset]) of \(cohort.customers))")
                canvas.text(
                    Self.cellText(share), x: x + cellWidth / 2, y: middle, anchor: .middle, size: fontSize,
                    fill: shade > 0.55 ? "#FFFFFF" : "#1A202C")
            }
        }
        return canvas.render(title: title)
    }

    /// Returns a share as a whole percentage, such as `23%`, to fit a cell.
    static func cellText(_ share: Double) -> String {
        "\(Int((share * 100).rounded()))%"
    }
}
