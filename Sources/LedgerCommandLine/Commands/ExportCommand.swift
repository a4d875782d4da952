import CustomerLedger
import Foundation

/// `ledger export`: writes the log, or one customer's events, as JSON Lines.
enum ExportCommand: Subcommand {
    static let name = "export"
    static let syntax = ArgumentList.Syntax(
        command: "ledger export",
        summary: "Write every event with all its stored fields as JSON Lines, which 'ledger import jsonl' reads back.",
        options: [
            CommandContext.databaseOption,
            .value(
                "--customer", placeholder: "ID",
                help: "Write only this customer's events. Such a file has gaps in its positions, so it cannot be imported."),
            .value(
                "--from", placeholder: "P",
                help: "Start at log position P (default: 1), for a copy that already has the events before P."),
            .value(
                "--output", placeholder: "FILE",
                help: "Write to FILE, with mode 0600, replacing it only when the export is complete (default: standard output). The export goes to a new temporary file in FILE's folder first, which every failure removes."),
        ])

    static func run(_ context: CommandContext) throws {
        var customer: CustomerID?
        if let text = context.arguments.string("--customer") {
            guard let id = CustomerID(parsing: text) else {
                throw UsageError("invalid customer id '\(text)' for --customer; expected a positive decimal number such as 42")
            }
            customer = id
        }
        let from = UInt64(try context.arguments.integer("--from", in: 1...) ?? 1)
        let outputPath = context.arguments.string("--output")
        if outputPath?.isEmpty == true {
            throw UsageError("option '--output' expects a file path, got an empty string")
        }

        let ledger = try context.openExistingLedger()
        if let customer, try ledger.customer(customer) == nil {
            throw CommandFailure("customer \(customer) not found in '\(context.databasePath)'", code: .notFound)
        }
        let last = try ledger.lastPosition()
        guard from <= last + 1 else {
            throw UsageError("--from \(from) is after the last position \(last) of the ledger; pass at most \(last + 1)")
        }

        var output = try ExportOutput(path: outputPath)
        let count: Int
        var through: UInt64 = 0
        do {
            count = try ledger.exportEvents(
                from: from, customer: customer,
                header: { header in
                    through = header.throughPosition
                    try output.writeLine(EventJSONLines.headerLine(header))
                },
                { event in try output.writeLine(EventJSONLines.eventLine(event)) })
            try output.finish()
        } catch {
            output.discard()
            throw error
        }
        if let outputPath {
            var scope = ""
            if let customer {
                scope = " of customer \(customer)"
            } else if count > 0 {
                scope = " (positions \(from) to \(through))"
            }
            Console.out("exported \(Formatting.count(count, "event"))\(scope) to \(outputPath)\n")
        }
    }
}

/// The destination of an export: a file, written under a new temporary name beside it and
/// renamed over it when complete, or standard output. Writes are buffered.
///
/// The temporary file is created by `mkstemp(3)`, with a unique name, `O_EXCL` and mode 0600, so
/// a file or symbolic link that someone else placed in the folder is never opened or followed.
/// Every failure after it was created removes it, through ``finish()`` or ``discard()``.
struct ExportOutput {
    /// The file to write, or nil for standard output.
    let path: String?
    /// The temporary file beside `path`, such as `.events.jsonl.tmp-k3Xq9Z`, or nil for standard output.
    let temporaryPath: String?
    let descriptor: Int32
    private var buffer: [UInt8] = []
    /// False once a file's descriptor is closed.
    private var isOpen = true
    private static let bufferSize = 1 << 20

    init(path: String?) throws(CommandFailure) {
        self.path = path
        guard let path else {
            fflush(nil)
            temporaryPath = nil
            descriptor = STDOUT_FILENO
            return
        }
        let folder = Self.folder(of: path)
        var template = Array((folder + "/." + (path as NSString).lastPathComponent + ".tmp-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw CommandFailure(
                "cannot create a temporary file in '\(folder)': \(String(cString: strerror(errno))); check that the folder of '\(path)' exists and is writable",
                code: .ioError)
        }
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Returns the folder of `path`, `.` for a bare file name.
    private static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    mutating func writeLine(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Writes what is buffered, then for a file syncs it and renames it into place.
    mutating func finish() throws {
        try flush()
        guard let path, let temporaryPath else { return }
        guard fsync(descriptor) == 0 else { throw writeFailure(temporaryPath, errno) }
        isOpen = false
        guard close(descriptor) == 0 else { throw writeFailure(temporaryPath, errno) }
        guard rename(temporaryPath, path) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw CommandFailure("cannot rename '\(temporaryPath)' to '\(path)': \(String(cString: strerror(code)))", code: .ioError)
        }
        // Syncing the folder makes the rename durable. A failure here leaves a complete file.
        let folderDescriptor = open(Self.folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// Removes the temporary file after a failed export. Standard output keeps what was written.
    mutating func discard() {
        guard let temporaryPath else { return }
        if isOpen { close(descriptor) }
        isOpen = false
        unlink(temporaryPath)
    }

    private mutating func flush() throws {
        do {
            try FileDescriptorOutput.writeAll(buffer, to: descriptor)
        } catch let error as POSIXError {
            throw writeFailure(temporaryPath ?? "standard output", error.code.rawValue)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeFailure(_ name: String, _ code: Int32) -> CommandFailure {
        CommandFailure("failed to write the export to '\(name)': \(String(cString: strerror(code)))", code: .ioError)
    }
}
