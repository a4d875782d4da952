import CustomerLedger
import Foundation

/// `ledger import jsonl FILE`: appends the events of a `ledger export` file in one transaction.
enum ImportJSONLinesCommand: Subcommand {
    static let name = "jsonl"
    static let syntax = ArgumentList.Syntax(
        command: "ledger import jsonl",
        summary: "Append the events of a 'ledger export' file, with their ids, times and metadata, in one transaction.",
        options: [CommandContext.databaseOption],
        positionals: [.required("FILE", help: "The file that 'ledger export' wrote.")])

    static func run(_ context: CommandContext) throws {
        let file = try context.arguments.requiredString("FILE")
        let document: EventJSONLinesDocument
        do {
            document = try EventJSONLines.read(try InputFile.contents(of: file, kind: "export file"))
        } catch let error as EventJSONLinesError {
            throw CommandFailure("\(file): \(error); nothing was written", code: .dataError)
        }

        let path = context.databasePath
        let isNew = !FileManager.default.fileExists(atPath: path)
        let summary: EventImportSummary
        do {
            let ledger = try context.openLedger(at: path, readOnly: false, program: document.header.baseProgram)
            var bar: ProgressBar?
            defer { bar?.finish() }
            summary = try ledger.importEvents(document.events, header: document.header) { done, total in
                if bar == nil { bar = ProgressBar(total: total, label: "import") }
                bar?.update(completed: done)
            }
        } catch let error as EventTransferError {
            if isNew { try? FileManager.default.removeItem(atPath: path) }
            throw CommandFailure("\(file): \(describe(error, in: document)); nothing was written", code: .dataError)
        } catch {
            // A ledger this command created contains nothing after a rejected import, which writes
            // nothing, so the folder is removed too.
            if isNew { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
        Console.out(
            "imported \(Formatting.count(summary.events, "event")) from \(file): "
                + "\(Formatting.grouped(summary.appended)) appended, \(Formatting.grouped(summary.alreadyPresent)) already present\n"
                + "head at position \(summary.head.position), hash \(summary.head.hash)\n")
    }

    /// Names the file line of the event at fault, or line 1 for a field of the header.
    static func describe(_ error: EventTransferError, in document: EventJSONLinesDocument) -> String {
        let line: Int?
        if let index = error.index, document.lines.indices.contains(index) {
            line = document.lines[index]
        } else if let field = error.field, EventJSONLines.headerKeys.contains(field) {
            line = 1
        } else {
            line = nil
        }
        var text = line.map { "line \($0)" } ?? ""
        if let field = error.field { text += (text.isEmpty ? "" : ", ") + "field \(field)" }
        return (text.isEmpty ? "" : text + ": ") + error.reason
    }
}
