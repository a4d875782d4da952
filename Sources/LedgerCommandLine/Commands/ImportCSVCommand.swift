import CustomerLedger
import Foundation

/// `ledger import csv FILE --map COLUMN=FIELD,...`: appends purchase rows in one transaction, or
/// in one per N rows with `--commit-every N`.
enum ImportCSVCommand: Subcommand {
    static let name = "csv"
    static let syntax = ArgumentList.Syntax(
        command: "ledger import csv",
        summary: "Append one purchase per CSV row, taking each field from a column you name, in one transaction.",
        options: [
            CommandContext.databaseOption,
            .value(
                "--map", placeholder: "COLUMN=FIELD,...",
                help: "The column of each field, as COLUMN=FIELD: customer, order, amount and occurred_at are required; currency, sku, quantity, unit_price, category, channel and store are optional."),
            .value(
                "--currency", placeholder: "CODE",
                help: "The currency of rows without a currency column, and of a new ledger's program (default: the ledger's program currency, CNY for a new ledger)."),
            ImportCommits.option,
            CommandContext.actorOption,
        ],
        positionals: [.required("FILE", help: "The CSV file (RFC 4180, UTF-8) with a header row.")])

    static func run(_ context: CommandContext) throws {
        let file = try context.arguments.requiredString("FILE")
        let mapValues = context.arguments.strings("--map")
        guard !mapValues.isEmpty else {
            throw UsageError(
                "missing option '--map COLUMN=FIELD,...'; name the columns of customer, order, amount and occurred_at, such as --map member=customer,order_no=order,total=amount,paid_at=occurred_at")
        }
        let mapping: CSVColumnMapping
        do {
            mapping = try CSVColumnMapping(parsing: mapValues.joined(separator: ","))
        } catch {
            throw UsageError(error.message)
        }
        var requestedCurrency: Currency?
        if let code = context.arguments.string("--currency") {
            guard let currency = Currency(code), currency.isISO4217 else {
                throw UsageError("invalid currency '\(code)' for --currency; expected an ISO 4217 code such as CNY or USD")
            }
            requestedCurrency = currency
        }
        let rowsPerCommit = try context.arguments.integer("--commit-every", in: 1...)
        let bytes = try InputFile.contents(of: file, kind: "CSV file")

        // The rows are checked before the ledger is opened for writing, so that an invalid file
        // leaves no new ledger folder behind.
        let path = context.databasePath
        let isNew = !FileManager.default.fileExists(atPath: path)
        let rows: [CSVPurchaseRow]
        do {
            rows = try CSVPurchaseImporter.parse(bytes, mapping: mapping, currency: try rowCurrency(requestedCurrency, ledgerAt: path))
        } catch let error as CSVImportError {
            throw CommandFailure("\(file): \(error); nothing was written", code: .dataError)
        }

        let summary: CSVPurchaseImporter.Summary
        var committedRows = 0
        do {
            let ledger = try context.openLedger(at: path, readOnly: false, program: LoyaltyProgram(currency: requestedCurrency ?? .cny))
            let metadata = EventMetadata(actor: context.actor, source: "csv")
            if let rowsPerCommit {
                summary = try CSVPurchaseImporter.importRows(rows, into: ledger, metadata: metadata, rowsPerCommit: rowsPerCommit) { commit in
                    committedRows = commit.rows.upperBound
                    ImportCommits.printCommit(commit)
                }
            } else {
                var bar: ProgressBar?
                defer { bar?.finish() }
                summary = try CSVPurchaseImporter.importRows(rows, into: ledger, metadata: metadata) { done, total in
                    if bar == nil { bar = ProgressBar(total: total, label: "import") }
                    bar?.update(completed: done)
                }
            }
        } catch {
            throw ImportCommits.failure(error, file: file, committedRows: committedRows, createdPath: isNew ? path : nil)
        }
        Console.out(
            "imported \(Formatting.count(summary.rows, "row")) from \(file): "
                + "\(Formatting.count(summary.eventsAppended, "event")) appended "
                + "(\(Formatting.count(summary.customersRegistered, "new customer"))), "
                + "\(Formatting.grouped(summary.eventsAlreadyPresent)) already present\n")
    }

    /// Returns the currency of rows without a currency column: `--currency`, else the program
    /// currency of the ledger at `path`, else CNY, the currency of a new ledger's program.
    @available(*, noasync)
    static func rowCurrency(_ requested: Currency?, ledgerAt path: String) throws -> Currency {
        if let requested { return requested }
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else { return .cny }
        return try Ledger(path: path, options: .init(readOnly: true)).program().currency
    }
}
