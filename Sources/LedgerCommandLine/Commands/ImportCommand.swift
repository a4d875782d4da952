import CustomerLedger
import Foundation

/// `ledger import cdnow FILE`: appends CDNOW purchases, idempotently.
enum ImportCommand: Subcommand {
    static let name = "import"
    static let syntax = ArgumentList.Syntax(
        command: "ledger import",
        summary: "Import purchases from a file: 'ledger import cdnow FILE'.",
        options: [
            CommandContext.databaseOption,
            .value("--batch-size", placeholder: "N", help: "Events per durable commit, 1 to 100000 (default 1000)."),
            .value("--actor", placeholder: "NAME", help: "Who is importing, recorded on every event (default: $USER)."),
        ],
        positionals: [
            .required("FORMAT", help: "The file format; 'cdnow' is supported."),
            .required("FILE", help: "The file to import."),
        ])

    static func run(_ context: CommandContext) throws {
        let format = try context.arguments.requiredString("FORMAT")
        guard format == "cdnow" else {
            throw UsageError("unknown import format '\(format)'; supported: cdnow")
        }
        let file = try context.arguments.requiredString("FILE")
        let batchSize = try context.arguments.integer("--batch-size", in: 1...100_000) ?? 1000
        let actor = context.arguments.string("--actor") ?? ProcessInfo.processInfo.environment["USER"] ?? "ledger"

        let rows = try CDNOWParser.parse(contentsOf: file)
        let ledger = try Ledger(
            path: context.databasePath, options: .init(program: LoyaltyProgram(currency: CDNOWImporter.currency)))
        let summary = try importCDNOW(rows, into: ledger, actor: actor, batchSize: batchSize, label: "import")
        Console.out(
            "imported \(Formatting.grouped(summary.rows)) rows from \(file): "
                + "\(Formatting.grouped(summary.eventsAppended)) events appended "
                + "(\(Formatting.grouped(summary.customersRegistered)) new customers), "
                + "\(Formatting.grouped(summary.eventsAlreadyPresent)) already present\n")
        try warnAboutProgramCurrency(ledger)
    }

    /// Imports rows in batches, drawing a progress bar on standard error when it is a terminal.
    @available(*, noasync)
    static func importCDNOW(
        _ rows: [CDNOWRow], into ledger: Ledger, actor: String, batchSize: Int, label: String
    ) throws -> CDNOWImporter.Summary {
        var bar: ProgressBar?
        defer { bar?.finish() }
        return try CDNOWImporter.importRows(
            rows, into: ledger, metadata: EventMetadata(actor: actor, source: "cdnow"), batchSize: batchSize
        ) { done, total in
            if bar == nil { bar = ProgressBar(total: total, label: label) }
            bar?.update(completed: done)
        }
    }

    /// Writes a note to standard error when CDNOW's dollars earn no points because the program uses
    /// another currency.
    @available(*, noasync)
    static func warnAboutProgramCurrency(_ ledger: Ledger) throws {
        let program = try ledger.program()
        if program.currency != CDNOWImporter.currency {
            Console.error(
                "note: this ledger's loyalty program is in \(program.currency), so USD purchases earn no points and do not count toward tiers\n")
        }
    }
}
