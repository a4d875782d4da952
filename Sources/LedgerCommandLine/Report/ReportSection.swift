/// One part of the HTML report: a heading, a sentence on what the figures count, a chart and a
/// table with the chart's figures.
struct ReportSection {
    /// The fragment id, such as `tiers`, for the table of contents.
    let id: String
    let title: String
    let summary: String
    /// An inline `<svg>` element, or a paragraph saying why there is no chart.
    let chart: String
    let table: String
    /// True for a table of many columns, which gets smaller type and scrolls sideways when the
    /// page is too narrow for it.
    var isTableWide = false

    func render() -> String {
        """
        <section id="\(HTMLText.escape(id))">
        <h2>\(HTMLText.escape(title))</h2>
        <p class="summary">\(HTMLText.escape(summary))</p>
        <div class="pair">
        <figure class="chart">
        \(chart)
        </figure>
        <div class="\(isTableWide ? "table wide" : "table")">
        \(table)
        </div>
        </div>
        </section>
        """
    }

    /// Returns the paragraph that replaces the chart of a section without figures.
    static func emptyChart(_ reason: String) -> String {
        "<p class=\"empty\">\(HTMLText.escape(reason))</p>"
    }
}
