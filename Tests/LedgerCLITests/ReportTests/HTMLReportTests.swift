import CustomerLedger
import Foundation
import Testing

@testable import LedgerCommandLine

@Suite("HTML report")
struct HTMLReportTests {
    /// Returns a report with a hostile province name and tier name, two months of revenue with a gap
    /// between them, and feedback.
    static func sampleData(feedback: Bool = true) -> ReportData {
        ReportData(
            ledgerName: "shop<&>.db", asOf: Timestamp(parsing: "2024-03-31T12:00:00Z")!, currency: .cny, customers: 1_234,
            events: 98_765,
            tiers: [
                .init(name: "ordinary", customers: 1_000), .init(name: "core", customers: 200),
                .init(name: "VIP \"gold\" & <b>", customers: 34),
            ],
            months: [
                .init(month: "2023-11", orders: 1_179, gross: 63_260_500, refunds: 2_598_700, net: 60_661_800),
                .init(month: "2023-12", orders: 0, gross: 0, refunds: 0, net: 0),
                .init(month: "2024-01", orders: 12, gross: 99_900, refunds: 0, net: 99_900),
            ],
            cohorts: [
                .init(month: "2023-11", customers: 84, active: [84, 20, 16]),
                .init(month: "2023-12", customers: 46, active: [46, 16]),
            ],
            regions: [
                .init(province: "广东省", customers: 456, buyers: 419, netSpend: 105_590_900, averageNetSpend: 231_558),
                .init(province: "<script>alert(\"x\")</script>", customers: 3, buyers: 1, netSpend: 1_000, averageNetSpend: 333),
                .init(province: "", customers: 7, buyers: 0, netSpend: 0, averageNetSpend: 0),
            ],
            segments: [
                .init(name: "champions", activity: .active, customers: 568, share: 0.209, netSpend: 377_109_700, averageNetSpend: 663_925),
                .init(name: "lost", activity: .lapsing, customers: 143, share: 0.053, netSpend: 1_853_300, averageNetSpend: 12_960),
            ],
            feedbackMonths: feedback
                ? [.init(month: "2023-11", feedback: 144, complaints: 53), .init(month: "2024-01", feedback: 100, complaints: 23)]
                : [],
            feedbackTotal: feedback ? 244 : 0, complaintsTotal: feedback ? 76 : 0)
    }

    @Test func escapeReplacesMarkupCharacters() {
        #expect(HTMLText.escape("<a href=\"x\">Tom & Jerry's</a>") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(HTMLText.escape("张伟") == "张伟")
        // A combining mark joins the markup character into one Character, but not into one scalar.
        #expect(HTMLText.escape("x\"\u{301} <\u{338}b &\u{301}") == "x&quot;\u{301} &lt;\u{338}b &amp;\u{301}")
        #expect(HTMLText.escape("") == "")
    }

    @Test func textFromTheLedgerIsEscaped() {
        let html = HTMLReport.render(Self.sampleData())
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(!html.contains("VIP \"gold\" & <b>"))
        #expect(html.contains("VIP &quot;gold&quot; &amp; &lt;b&gt;"))
        #expect(html.contains("shop&lt;&amp;&gt;.db"))
        #expect(!html.contains("<b>"))
    }

    @Test func tablesContainTheFigures() {
        let html = HTMLReport.render(Self.sampleData())
        for row in [
            "<tr data-row=\"core\"><th scope=\"row\">core</th><td class=\"num\">200</td><td class=\"num\">16.2%</td></tr>",
            "<tr data-row=\"2023-11\"><th scope=\"row\">2023-11</th><td class=\"num\">1,179</td><td class=\"num\">632,605.00</td>"
                + "<td class=\"num\">25,987.00</td><td class=\"num\">606,618.00</td></tr>",
            "<tr data-row=\"广东省\"><th scope=\"row\">广东省</th><td class=\"num\">456</td><td class=\"num\">419</td>"
                + "<td class=\"num\">1,055,909.00</td><td class=\"num\">2,315.58</td></tr>",
            "<th scope=\"row\">(no province)</th>",
            "<tr data-row=\"champions\"><th scope=\"row\">champions</th><td class=\"num\">568</td><td class=\"num\">20.9%</td>",
            "<tr data-row=\"2023-11\"><th scope=\"row\">2023-11</th><td class=\"num\">84</td><td class=\"num\">100.0%</td>"
                + "<td class=\"num\">23.8%</td><td class=\"num\">19.0%</td></tr>",
            "<tr data-row=\"2023-11\"><th scope=\"row\">2023-11</th><td class=\"num\">144</td><td class=\"num\">53</td>"
                + "<td class=\"num\">36.8%</td></tr>",
            "<tr data-row=\"total\" class=\"total\"><th scope=\"row\">Total</th><td class=\"num\">244</td><td class=\"num\">76</td>",
            "<dt>customers</dt><dd>1,234</dd>",
            "<dt>net revenue (CNY)</dt><dd>607,617.00</dd>",
        ] {
            #expect(html.contains(row), "missing \(row)")
        }
    }

    @Test func chartsCarryTheSameFigures() {
        let html = HTMLReport.render(Self.sampleData())
        #expect(html.components(separatedBy: "<svg ").count - 1 == 6)
        #expect(html.contains("<title>core: 200</title>"))
        #expect(html.contains("<title>广东省: 1,055,909.00</title>"))
        #expect(html.contains("<title>2023-11 net revenue: 606,618.00</title>"))
        #expect(html.contains("<title>2023-11 complaints: 53</title>"))
        #expect(html.contains("<title>2023-11 M1: 23.8% (20 of 84)</title>"))
        #expect(html.contains(">广东省</text>"))
    }

    @Test func reportFetchesNothing() {
        let html = HTMLReport.render(Self.sampleData())
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        for marker in ["<script", "<link", "<img", "src=", "url(", "@import", "@font-face", "xmlns"] {
            #expect(!html.lowercased().contains(marker), "the report contains \(marker)")
        }
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        #expect(html.contains("\"Noto Sans CJK SC\""))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func reportWithoutFeedbackSaysSo() {
        let html = HTMLReport.render(Self.sampleData(feedback: false))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
        #expect(html.contains("<p class=\"empty\">No feedback recorded up to 2024-03-31T12:00:00Z.</p>"))
    }

    @Test func renderingIsDeterministic() {
        #expect(HTMLReport.render(Self.sampleData()) == HTMLReport.render(Self.sampleData()))
    }

    @Test func missingMonthsAreFilled() {
        let rows = [
            ReportData.FeedbackMonthRow(month: "2024-02", feedback: 1, complaints: 0),
            ReportData.FeedbackMonthRow(month: "2023-11", feedback: 2, complaints: 1),
        ]
        let filled = ReportData.filledMonths(rows) { ReportData.FeedbackMonthRow(month: $0, feedback: 0, complaints: 0) }
        #expect(filled.map(\.month) == ["2023-11", "2023-12", "2024-01", "2024-02"])
        #expect(filled.map(\.feedback) == [2, 0, 0, 1])
        #expect(ReportData.filledMonths([ReportData.FeedbackMonthRow]()) { _ in fatalError() }.isEmpty)
    }

    @Test func axisTicksAreRound() {
        #expect(ChartLayout.ticks(upTo: 630) == [0, 200, 400, 600, 800])
        #expect(ChartLayout.ticks(upTo: 8) == [0, 2, 4, 6, 8])
        #expect(ChartLayout.ticks(upTo: 0) == [0, 1])
        #expect(ChartLayout.compact(1_500) == "1.5k")
        #expect(ChartLayout.compact(600_000) == "600k")
        #expect(ChartLayout.compact(1_200_000) == "1.2M")
        #expect(ChartLayout.compact(40) == "40")
    }

    @Test func chineseLabelsGetWiderMargins() {
        #expect(ChartLayout.textWidth("广东省", size: 10) == 30)
        #expect(ChartLayout.textWidth("VIP", size: 10) < 20)
        let chart = HorizontalBarChart(bars: [
            .init(label: "新疆维吾尔自治区", value: 10, valueText: "10", color: "#000000")
        ]).render(title: "t")
        // The label ends where the bars start, after eight full-width characters at 13 px.
        #expect(chart.contains("<text x=\"116\""))
    }

    @Test func crowdedMonthLabelsTurn() {
        let columns = (1...24).map { StackedColumnChart.Column(label: "2024-\($0)", values: [Double($0)], valueTexts: ["\($0)"]) }
        let crowded = StackedColumnChart(series: [.init(name: "n", color: "#000000")], columns: columns, unit: "u").render(title: "t")
        #expect(crowded.contains("rotate(-45"))
        let roomy = StackedColumnChart(series: [.init(name: "n", color: "#000000")], columns: Array(columns.prefix(3)), unit: "u")
            .render(title: "t")
        #expect(!roomy.contains("rotate("))
    }
}
