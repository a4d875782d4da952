import CustomerLedger
import Foundation

/// `ledger backup DEST`: a consistent, compacted copy of the ledger while writers go on.
enum BackupCommand: Subcommand {
    static let name = "backup"
    static let syntax = ArgumentList.Syntax(
        command: "ledger backup",
        summary: "Copy the ledger, compacted and consistent, into a new folder while writers go on, and show the copy's head.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption],
        positionals: [
            .required(
                "DEST", help: "The backup folder: a new one, created with mode 0700, or an empty one. Open it as a ledger to restore.")
        ])

    static func run(_ context: CommandContext) throws {
        let destination = try context.arguments.requiredString("DEST")
        guard !destination.isEmpty else { throw UsageError("DEST is empty; pass the path of a new folder") }
        let ledger = try context.openExistingLedger()
        let started = ProgressBar.makeMonotonicClock()
        let startTime = started()
        let backup = try ledger.backup(to: destination)
        let seconds = started() - startTime
        if context.wantsJSON {
            context.printJSON(
                .object([
                    ("path", .string(backup.path)), ("position", JSONValue(backup.head.position)),
                    ("hash", .string(backup.head.hash)), ("bytes", JSONValue(backup.bytes)),
                ]))
            return
        }
        Console.out(
            "backup    \(backup.path)\nposition  \(backup.head.position)\nhash      \(backup.head.hash)\n"
                + "size      \(Formatting.grouped(backup.bytes)) bytes, written in \(String(format: "%.2f", seconds)) s\n")
    }
}
