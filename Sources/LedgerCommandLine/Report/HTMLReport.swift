/// The HTML report: one self-contained page with inline CSS and SVG charts, which loads nothing
/// from anywhere. Its Content-Security-Policy forbids every fetch, scripts included.
enum HTMLReport {
    /// The font stack: common sans-serif fonts with Chinese glyphs first, so that province names
    /// and other Chinese text render where one of them is installed. No font is downloaded.
    static let fontFamily =
        "\"Noto Sans CJK SC\", \"Noto Sans SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Hiragino Sans GB\", "
        + "\"Microsoft YaHei\", \"WenQuanYi Micro Hei\", \"Noto Sans\", \"DejaVu Sans\", system-ui, sans-serif"

    static func render(_ data: ReportData) -> String {
        let sections = [
            TierSection.render(data), RevenueSection.render(data), CohortSection.render(data), RegionSection.render(data),
            SegmentSection.render(data), ComplaintSection.render(data),
        ]
        let asOf = Formatting.instant(data.asOf)
        let title = "Customer Ledger report: \(data.ledgerName) as of \(asOf)"
        let contents = sections.map { "<li><a href=\"#\(HTMLText.escape($0.id))\">\(HTMLText.escape($0.title))</a></li>" }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>
            \(stylesheet)
            </style>
            </head>
            <body>
            <header>
            <h1>\(HTMLText.escape(title))</h1>
            \(summary(data))
            <nav><ol>\(contents.joined())</ol></nav>
            </header>
            <main>
            \(sections.map { $0.render() }.joined(separator: "\n"))
            </main>
            <footer>Written by <code>ledger report</code> from the ledger's events, evaluated as of \(HTMLText.escape(asOf)). \
            Amounts are in \(HTMLText.escape(data.currency.code)); the report contains aggregates only, no personal data.</footer>
            </body>
            </html>

            """
    }

    /// Returns the key figures under the heading.
    static func summary(_ data: ReportData) -> String {
        let figures: [(String, String)] = [
            ("customers", Formatting.grouped(data.customers)),
            ("events", Formatting.grouped(data.events)),
            ("orders", Formatting.grouped(data.months.reduce(0) { $0 + $1.orders })),
            ("net revenue (\(data.currency.code))", HTMLText.amount(data.months.reduce(0) { $0 + $1.net }, data.currency)),
            ("feedback", Formatting.grouped(data.feedbackTotal)),
            ("complaints", Formatting.grouped(data.complaintsTotal)),
        ]
        let items = figures.map { name, value in
            "<div><dt>\(HTMLText.escape(name))</dt><dd>\(HTMLText.escape(value))</dd></div>"
        }
        return "<dl class=\"figures\">" + items.joined() + "</dl>"
    }

    static let stylesheet = """
        :root { color-scheme: light; }
        body { font-family: \(fontFamily); margin: 24px 32px; color: #1A202C; background: #FFFFFF; line-height: 1.4; }
        h1 { font-size: 24px; margin: 0 0 12px; }
        h2 { font-size: 19px; margin: 0 0 4px; }
        .figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 12px; }
        .figures div { border: 1px solid #E2E8F0; border-radius: 6px; padding: 6px 14px; min-width: 120px; }
        .figures dt { font-size: 12px; color: #4A5568; }
        .figures dd { margin: 0; font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
        nav ol { display: flex; flex-wrap: wrap; gap: 4px 20px; padding: 0; margin: 0 0 24px; list-style: none; }
        nav a { color: #2B6CB0; }
        section { margin: 0 0 36px; padding-top: 16px; border-top: 1px solid #E2E8F0; }
        .summary { margin: 0 0 12px; color: #4A5568; max-width: 90ch; }
        .pair { display: flex; flex-wrap: wrap; gap: 16px 40px; align-items: flex-start; }
        figure { margin: 0; }
        svg { display: block; max-width: 100%; height: auto; }
        svg text { font-family: inherit; }
        table { border-collapse: collapse; font-size: 13px; }
        caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
        th, td { padding: 3px 10px; border-bottom: 1px solid #E2E8F0; text-align: left; white-space: nowrap; }
        thead th { border-bottom: 2px solid #A0AEC0; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        tr.total th, tr.total td { font-weight: 600; border-top: 2px solid #A0AEC0; }
        .wide { max-width: 100%; overflow-x: auto; }
        .wide table { font-size: 11px; }
        .wide th, .wide td { padding: 2px 5px; }
        .empty { color: #4A5568; font-style: italic; }
        footer { color: #4A5568; font-size: 12px; border-top: 1px solid #E2E8F0; padding-top: 12px; }
        """
}
