import CustomerLedger
import Foundation

/// `ledger import cdnow FILE`: appends CDNOW purchases, idempotently, in one transaction or in
/// one per N rows with `--commit-every N`.
enum ImportCommand: Subcommand {
    static let name = "import"
    static let syntax = ArgumentList.Syntax(
        command: "ledger import",
        summary: "Import a file: 'ledger import cdnow FILE', 'ledger import jsonl FILE' or 'ledger import csv FILE --map ...'.",
        options: [
            CommandContext.databaseOption,
            ImportCommits.option,
            .value("--actor", placeholder: "NAME", help: "Who is importing, recorded on every event (default: $USER)."),
        ],
        positionals: [
            .required("FORMAT", help: "The file format: cdnow, or the actions jsonl and csv."),
            .required("FILE", help: "The file to import."),
        ])
    static var actions: [any Subcommand.Type] { [ImportJSONLinesCommand.self, ImportCSVCommand.self] }

    static func run(_ context: CommandContext) throws {
        let format = try context.arguments.requiredString("FORMAT")
        guard format == "cdnow" else {
            throw UsageError("unknown import format '\(format)'; supported: cdnow, jsonl, csv")
        }
        let file = try context.arguments.requiredString("FILE")
        let actor = context.arguments.string("--actor") ?? ProcessInfo.processInfo.environment["USER"] ?? "ledger"

        let rowsPerCommit = try context.arguments.integer("--commit-every", in: 1...)
        let bytes = try InputFile.contents(of: file, kind: "CDNOW file")
        let rows: [CDNOWRow]
        do {
            rows = try CDNOWParser.parse(bytes)
        } catch {
            throw CommandFailure("\(file): \(error.description); nothing was written", code: .dataError)
        }
        let path = context.databasePath
        let isNew = !FileManager.default.fileExists(atPath: path)
        let summary: CDNOWImporter.Summary
        let program: LoyaltyProgram
        var committedRows = 0
        do {
            let ledger = try context.openLedger(at: path, readOnly: false, program: LoyaltyProgram(currency: CDNOWImporter.currency))
            program = try ledger.program()
            if let rowsPerCommit {
                summary = try CDNOWImporter.importRows(
                    rows, into: ledger, metadata: EventMetadata(actor: actor, source: "cdnow"), rowsPerCommit: rowsPerCommit
                ) { commit in
                    committedRows = commit.rows.upperBound
                    ImportCommits.printCommit(commit)
                }
            } else {
                summary = try importCDNOW(rows, into: ledger, actor: actor, label: "import")
            }
        } catch {
            throw ImportCommits.failure(error, file: file, committedRows: committedRows, createdPath: isNew ? path : nil)
        }
        warnAboutProgramCurrency(program)
        Console.out(
            "imported \(Formatting.count(summary.rows, "row")) from \(file): "
                + "\(Formatting.count(summary.eventsAppended, "event")) appended "
                + "(\(Formatting.count(summary.customersRegistered, "new customer"))), "
                + "\(Formatting.grouped(summary.eventsAlreadyPresent)) already present\n")
    }

    /// Imports rows in one transaction, drawing a progress bar on standard error when it is a terminal.
    @available(*, noasync)
    static func importCDNOW(
        _ rows: [CDNOWRow], into ledger: Ledger, actor: String, label: String
    ) throws -> CDNOWImporter.Summary {
        var bar: ProgressBar?
        defer { bar?.finish() }
        return try CDNOWImporter.importRows(
            rows, into: ledger, metadata: EventMetadata(actor: actor, source: "cdnow")
        ) { done, total in
            if bar == nil { bar = ProgressBar(total: total, label: label) }
            bar?.update(completed: done)
        }
    }

    /// Writes a note to standard error when CDNOW's dollars earn no points because the program uses
    /// another currency.
    static func warnAboutProgramCurrency(_ program: LoyaltyProgram) {
        if program.currency != CDNOWImporter.currency {
            Console.error(
                "note: this ledger's loyalty program is in \(program.currency), so USD purchases earn no points and do not count toward tiers\n")
        }
    }
}
