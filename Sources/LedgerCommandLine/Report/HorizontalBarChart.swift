/// A bar chart with one horizontal bar per category, labelled on the left and valued on the right,
/// for categories with long names such as provinces, tiers and segments.
struct HorizontalBarChart {
    struct Bar {
        let label: String
        let value: Double
        /// The value as the table shows it, such as `1,234` or `56,789.00`.
        let valueText: String
        let color: String
    }

    let bars: [Bar]
    var width: Double = 640
    var rowHeight: Double = 26
    var fontSize: Double = 13

    func render(title: String) -> String {
        let labelWidth = (bars.map { ChartLayout.textWidth($0.label, size: fontSize) }.max() ?? 0) + 12
        let valueWidth = (bars.map { ChartLayout.textWidth($0.valueText, size: fontSize) }.max() ?? 0) + 12
        let plotLeft = labelWidth + 4
        let plotWidth = max(80, width - plotLeft - valueWidth)
        let top = 8.0
        var canvas = SVGCanvas(width: plotLeft + plotWidth + valueWidth, height: top + Double(bars.count) * rowHeight + 8)
        let maximum = bars.map(\.value).max() ?? 0

        for (index, bar) in bars.enumerated() {
            let y = top + Double(index) * rowHeight
            let length = maximum > 0 ? max(0, bar.value) / maximum * plotWidth : 0
            let middle = y + rowHeight / 2
            canvas.text(bar.label, x: labelWidth, y: middle + fontSize * 0.35, anchor: .end, size: fontSize)
            canvas.rectangle(
                x: plotLeft, y: y + 4, width: length, height: rowHeight - 8, fill: bar.color,
                tooltip: "\(bar.label): \(bar.valueText)")
            canvas.text(bar.valueText, x: plotLeft + length + 6, y: middle + fontSize * 0.35, size: fontSize, fill: ChartLayout.axis)
        }
        canvas.line(x1: plotLeft, y1: top, x2: plotLeft, y2: top + Double(bars.count) * rowHeight, stroke: ChartLayout.axis)
        return canvas.render(title: title)
    }
}
