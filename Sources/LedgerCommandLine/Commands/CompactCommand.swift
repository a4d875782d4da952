import CustomerLedger
import Foundation

/// `ledger compact`: rewrites the ledger into a fresh file of live data only and swaps it in.
enum CompactCommand: Subcommand {
    static let name = "compact"
    static let syntax = ArgumentList.Syntax(
        command: "ledger compact",
        summary: "Rewrite the ledger without deleted data, such as erased customers' keys; no other process may have it open.",
        options: [
            .value(
                "--db", placeholder: "PATH",
                help: "Ledger database folder (default: $LEDGER_DB, else ./ledger.db). Stop every other process that has it open first, "
                    + "such as 'ledger follow' or an application: compact fails while one has (exit 75, retry once it stopped) and changes nothing. "
                    + "The copy is verified before it replaces the folder. An encrypted ledger needs its master key (exit 77 without it). "
                    + "Run compact from outside the ledger folder: the folder is replaced, so it may not be or contain the working directory (exit 64)."),
            .flag("--json", help: "Write the folder, the head and the data file's size before and after as JSON."),
        ])

    static func run(_ context: CommandContext) throws {
        try requireLedger(at: context.databasePath)
        // The compacted copy replaces the folder by renaming it. Given a symbolic link, that
        // would replace the link and leave the old data file, with what erasure deleted, in the
        // link's target, so the target is compacted instead.
        let path = URL(fileURLWithPath: context.databasePath).resolvingSymlinksInPath().path
        try rejectWorkingDirectory(inside: path, shownAs: context.databasePath)
        let options = try context.ledgerOptions(readOnly: false)
        let summary = try Ledger.compact(path: path, options: options)

        if context.wantsJSON {
            context.printJSON(.object([
                ("path", .string(summary.path)),
                ("position", JSONValue(summary.head.position)),
                ("hash", .string(summary.head.hash)),
                ("bytes_before", JSONValue(summary.bytesBefore)),
                ("bytes_after", JSONValue(summary.bytesAfter)),
                ("removed_leftovers", .array(summary.removedLeftovers.map { .string($0) })),
            ]))
            return
        }
        var lines = [
            ("compacted", summary.path),
            ("data.mdb", "\(Formatting.grouped(summary.bytesBefore)) bytes before, \(Formatting.grouped(summary.bytesAfter)) bytes after"),
            ("position", "\(summary.head.position)"),
            ("hash", summary.head.hash),
        ]
        // Folders of an interrupted compaction, which held the ledger's old pages.
        lines += summary.removedLeftovers.map { ("removed", $0) }
        Console.out(Formatting.labelled(lines))
    }

    /// Throws a ``UsageError`` when the working directory is the ledger folder at `path` or
    /// inside it. Compaction replaces that folder by renaming a new one over it, which would
    /// leave the calling shell in a deleted folder. `shownPath` is the folder as the user gave it.
    static func rejectWorkingDirectory(inside path: String, shownAs shownPath: String) throws {
        guard let workingDirectory = realPath("."), let folder = realPath(path) else { return }
        let isInside = folder == "/" || workingDirectory == folder || workingDirectory.hasPrefix(folder + "/")
        guard isInside else { return }
        throw UsageError(
            "the ledger folder '\(shownPath)' is or contains the working directory '\(workingDirectory)', and compaction replaces "
                + "that folder; run 'ledger compact' from outside the ledger folder, such as from its parent folder")
    }

    /// Returns the absolute path of `path` with every symbolic link resolved, or nil when it cannot be resolved.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Throws a ``CommandFailure`` unless `path` is a folder with a `data.mdb`: not found (66)
    /// for a missing ledger, an I/O failure (74) for a file or a folder that cannot be read.
    ///
    /// Compaction opens the ledger itself, so this cannot use ``CommandContext/openExistingLedger(readOnly:)``,
    /// whose open ledger would count as a second one.
    static func requireLedger(at path: String) throws {
        var info = stat()
        guard stat(path + "/data.mdb", &info) != 0 else { return }
        switch errno {
        case EACCES, EPERM:
            throw CommandFailure(
                "permission denied reading the ledger at '\(path)'; run as a user who can read and write that folder", code: .ioError)
        case ENOTDIR:
            throw CommandFailure("'\(path)' is a file, not a ledger folder; pass --db with a ledger folder", code: .ioError)
        default:
            throw CommandFailure("no ledger at '\(path)'; pass --db with the folder of an existing ledger", code: .notFound)
        }
    }
}
