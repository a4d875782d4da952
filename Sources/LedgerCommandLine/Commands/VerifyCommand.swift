import CustomerLedger
import Foundation

/// `ledger verify`: checks the hash chain, the indexes and the projections against the log.
enum VerifyCommand: Subcommand {
    static let name = "verify"
    static let syntax = ArgumentList.Syntax(
        command: "ledger verify",
        summary: "Check every event against the hash chain, the indexes and the projections, and exit with 65 on a finding.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption])

    static func run(_ context: CommandContext) throws {
        let ledger = try context.openExistingLedger()
        let bar = ProgressBar(total: Int(clamping: try ledger.lastPosition()), label: "verify")
        let report = try ledger.verify { checked, _ in bar.update(completed: Int(clamping: checked)) }
        bar.finish()

        if context.wantsJSON {
            context.printJSON(json(report))
        } else if report.isVerified {
            Console.out(
                "verified \(Formatting.grouped(report.eventsChecked)) events, head \(report.head.hash) at position \(report.head.position)\n")
        } else {
            Console.out(text(report))
        }
        guard let first = report.findings.first else { return }
        let count = report.findings.count + report.omittedFindings
        let place = first.position == nil && first.page == nil ? "in the projections" : "at \(first.place)"
        throw CommandFailure(
            "the ledger failed verification with \(Formatting.count(count, "finding")); the first is \(first.kind.rawValue) \(place); restore the ledger from a backup, or run 'ledger replay' when only projections differ",
            code: .dataError)
    }

    /// Returns the findings as text: the first one on its own, then the full list.
    static func text(_ report: VerificationReport) -> String {
        guard let first = report.findings.first else { return "" }
        var text = "FIRST FINDING  \(first.kind.rawValue) at \(first.place)\n  \(first.detail)\n\n"
        let count = report.findings.count + report.omittedFindings
        text += "\(Formatting.count(count, "finding")) in \(Formatting.grouped(report.eventsChecked)) events checked:\n"
        for finding in report.findings { text += "  \(finding)\n" }
        if report.omittedFindings > 0 { text += "  … and \(Formatting.grouped(report.omittedFindings)) more, not listed\n" }
        if report.findings.contains(where: { $0.kind == .damagedPage }) {
            text += "The log was not read, because LMDB could crash on a damaged page.\n"
        } else if !report.projectionsCompared {
            text += "The projections were not compared, because an event could not be folded.\n"
        }
        text += "stored head \(report.head.hash) at position \(report.head.position)\n"
        return text
    }

    static func json(_ report: VerificationReport) -> JSONValue {
        let findings: [JSONValue] = report.findings.map { finding in
            .object([
                ("kind", .string(finding.kind.rawValue)),
                ("position", finding.position.map { JSONValue($0) } ?? .null),
                ("customer", finding.customerID.map { JSONValue($0.rawValue) } ?? .null),
                ("page", finding.page.map { JSONValue($0) } ?? .null),
                ("detail", .string(finding.detail)),
            ])
        }
        return .object([
            ("verified", .bool(report.isVerified)),
            ("events", JSONValue(report.eventsChecked)),
            ("head", HeadCommand.json(report.head)),
            ("recomputed_hash", JSONValue(report.recomputedHash)),
            ("projections_compared", .bool(report.projectionsCompared)),
            ("findings", .array(findings)),
            ("omitted_findings", JSONValue(report.omittedFindings)),
        ])
    }
}
