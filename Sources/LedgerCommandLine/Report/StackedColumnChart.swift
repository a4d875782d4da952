/// A column chart with one stacked column per period, such as a month, with a value axis on the
/// left and a legend above.
struct StackedColumnChart {
    struct Series {
        let name: String
        let color: String
    }

    struct Column {
        let label: String
        /// One value per series, stacked from the bottom in series order.
        let values: [Double]
        /// The text of each value for tooltips, as the table shows it.
        let valueTexts: [String]
    }

    let series: [Series]
    let columns: [Column]
    /// The text of an axis tick, such as `20k`.
    var axisText: (Double) -> String = ChartLayout.compact
    /// The unit of the value axis, such as `CNY` or `feedback`, written above it.
    var unit: String
    var width: Double = 680
    var plotHeight: Double = 240
    var fontSize: Double = 12

    func render(title: String) -> String {
        let totals = columns.map { $0.values.reduce(0, +) }
        let ticks = ChartLayout.ticks(upTo: totals.max() ?? 0)
        let top = ticks.last ?? 1
        let axisWidth = (ticks.map { ChartLayout.textWidth(axisText($0), size: fontSize) }.max() ?? 0) + 10
        let left = axisWidth + 6
        let legendHeight = 24.0
        let plotTop = legendHeight + 18
        let slot = max(8, (width - left - 10) / Double(max(1, columns.count)))
        // Labels turn when they would not fit side by side, and thin out when turned ones would overlap.
        let longestLabel = columns.map { ChartLayout.textWidth($0.label, size: fontSize) }.max() ?? 0
        let rotated = longestLabel + 6 > slot
        let every = rotated ? max(1, Int((fontSize * 1.3 / slot).rounded(.up))) : 1
        let labelHeight = rotated ? longestLabel * 0.72 + 12 : fontSize + 10
        var canvas = SVGCanvas(width: left + slot * Double(columns.count) + 10, height: plotTop + plotHeight + labelHeight + 4)

        var legendX = left
        for entry in series {
            canvas.rectangle(x: legendX, y: 6, width: 12, height: 12, fill: entry.color)
            canvas.text(entry.name, x: legendX + 16, y: 16, size: fontSize)
            legendX += 16 + ChartLayout.textWidth(entry.name, size: fontSize) + 18
        }
        canvas.text(unit, x: 2, y: plotTop - 8, size: fontSize - 1, fill: ChartLayout.axis)
        for tick in ticks {
            let y = plotTop + plotHeight - tick / top * plotHeight
            canvas.line(x1: left, y1: y, x2: left + slot * Double(columns.count), y2: y, stroke: ChartLayout.grid)
            canvas.text(axisText(tick), x: left - 6, y: y + fontSize * 0.35, anchor: .end, size: fontSize - 1, fill: ChartLayout.axis)
        }

        let barWidth = max(2, slot * 0.72)
        for (index, column) in columns.enumerated() {
            let x = left + slot * Double(index) + (slot - barWidth) / 2
            var base = plotTop + plotHeight
            for (seriesIndex, value) in column.values.enumerated() where value > 0 {
                let height = value / top * plotHeight
                base -= height
                canvas.rectangle(
                    x: x, y: base, width: barWidth, height: height, fill: series[seriesIndex].color,
                    tooltip: "\(column.label) \(series[seriesIndex].name): \(column.valueTexts[seriesIndex])")
            }
            guard index % every == 0 else { continue }
            let labelX = left + slot * (Double(index) + 0.5)
            let labelY = plotTop + plotHeight + fontSize + 4
            if rotated {
                canvas.text(column.label, x: labelX + fontSize * 0.3, y: labelY, anchor: .end, size: fontSize, rotation: -45)
            } else {
                canvas.text(column.label, x: labelX, y: labelY, anchor: .middle, size: fontSize)
            }
        }
        canvas.line(
            x1: left, y1: plotTop + plotHeight, x2: left + slot * Double(columns.count), y2: plotTop + plotHeight,
            stroke: ChartLayout.axis)
        return canvas.render(title: title)
    }
}
