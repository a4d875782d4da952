/// An inline SVG drawing built from escaped elements, for the charts of the HTML report.
///
/// It writes no `xmlns` attribute, which SVG inside HTML does not need, so the report contains no
/// URL at all. Text takes the page's font through CSS.
struct SVGCanvas {
    enum Anchor: String {
        case start, middle, end
    }

    let width: Double
    let height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Adds a filled rectangle; `tooltip` becomes its `<title>`, which browsers show on hover.
    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String, tooltip: String? = nil) {
        let attributes =
            "x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(0, width)))\" height=\"\(c(max(0, height)))\" fill=\"\(fill)\""
        if let tooltip {
            elements.append("<rect \(attributes)><title>\(HTMLText.escape(tooltip))</title></rect>")
        } else {
            elements.append("<rect \(attributes)/>")
        }
    }

    /// Adds a line of text whose baseline starts, centres or ends at (`x`, `y`), turned by
    /// `rotation` degrees around that point.
    mutating func text(
        _ text: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12, fill: String = "#1a202c",
        bold: Bool = false, rotation: Double? = nil
    ) {
        var attributes = "x=\"\(c(x))\" y=\"\(c(y))\" font-size=\"\(c(size))\" fill=\"\(fill)\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"600\"" }
        if let rotation { attributes += " transform=\"rotate(\(c(rotation)) \(c(x)) \(c(y)))\"" }
        elements.append("<text \(attributes)>\(HTMLText.escape(text))</text>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#cbd5e0", width: Double = 1) {
        elements.append(
            "<line x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(c(width))\"/>")
    }

    /// Returns the `<svg>` element, labelled `title` for screen readers.
    func render(title: String) -> String {
        "<svg viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" height=\"\(c(height))\" role=\"img\" "
            + "aria-label=\"\(HTMLText.escape(title))\">\n" + elements.joined(separator: "\n") + "\n</svg>"
    }

    private func c(_ value: Double) -> String { HTMLText.coordinate(value) }
}
