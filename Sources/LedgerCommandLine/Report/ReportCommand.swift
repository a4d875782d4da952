import CustomerLedger
import Foundation

/// `ledger report --html FILE`: writes a self-contained HTML report with charts and tables.
enum ReportCommand: Subcommand {
    static let name = "report"
    static let syntax = ArgumentList.Syntax(
        command: "ledger report",
        summary: "Write a self-contained HTML page of charts and tables: tiers, revenue, cohorts, regions, segments, complaints.",
        options: [
            CommandContext.databaseOption,
            .value("--html", placeholder: "FILE", help: "The HTML file to write; an existing file is replaced (required)."),
            CommandContext.analysisAsOfOption,
        ])

    static func run(_ context: CommandContext) throws {
        guard let file = context.arguments.string("--html") else {
            throw UsageError("missing option '--html FILE'; name the HTML file to write, such as --html report.html")
        }
        guard !file.isEmpty else { throw UsageError("option '--html' expects a file path, got an empty string") }
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let name = URL(fileURLWithPath: ledger.path).lastPathComponent
        let data = try ReportData.collect(from: ledger, asOf: instant, ledgerName: name)
        let html = HTMLReport.render(data)
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw CommandFailure(
                "cannot write '\(file)': \(error.localizedDescription); check that its folder exists and is writable", code: .ioError)
        }
        let top = data.tiers.last
        Console.out(
            "wrote \(file) (\(Formatting.count(html.utf8.count, "byte"))): \(Formatting.count(data.customers, "customer")) as of "
                + "\(Formatting.instant(instant))\(top.map { ", \(Formatting.grouped($0.customers)) in \($0.name)" } ?? "")\n")
    }
}
