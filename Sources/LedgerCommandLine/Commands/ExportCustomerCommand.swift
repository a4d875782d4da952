import CustomerLedger
import Foundation

/// `ledger export-customer ID`: everything the ledger stores about one customer, decrypted, as
/// one JSON document, for a subject access or data portability request.
enum ExportCustomerCommand: Subcommand {
    static let name = "export-customer"
    static let syntax = ArgumentList.Syntax(
        command: "ledger export-customer",
        summary: "Write everything held about a customer, personal data decrypted, as one JSON document (admin only).",
        options: [
            CommandContext.databaseOption,
            .value(
                "--output", placeholder: "FILE",
                help: "Write to a new FILE with mode 0600, complete or not at all (default: standard output). An existing FILE is never replaced (exit 74)."),
        ],
        positionals: [
            .required(
                "ID",
                help: "The customer id, such as 42. An unknown customer exits with 66. A role other than admin, or an encrypted ledger without its master key, exits with 77."),
        ])

    /// The `format` of the document, which `format_version` qualifies.
    static let format = "customer-ledger-subject-access"

    /// How often the reads are repeated when the customer changes between them.
    static let snapshotAttempts = 5

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        let outputPath = context.arguments.string("--output")
        if let outputPath {
            guard !outputPath.isEmpty else { throw UsageError("option '--output' expects a file path, got an empty string") }
            try NewFileWriter.rejectExisting(outputPath)
        }
        let role = try context.role()
        guard role == .admin else {
            throw PrivacyError.roleNotAllowed(role: role, operation: "exporting a customer's personal data")
        }

        let ledger = try context.openExistingLedger()
        // Without the key every personal field would be empty, which is useless for portability.
        if ledger.isEncrypted, try context.masterKey() == nil {
            throw CommandFailure(
                LedgerCommand.masterKeyRequiredMessage(
                    command: context.command, operation: "exporting a customer's personal data",
                    reason: ", because it writes the personal data in clear"),
                code: .permission)
        }
        _ = try context.existingCustomer(id, in: ledger)
        let snapshot = try readSnapshot(of: id, from: ledger)
        let text = JSONWriter(style: .pretty).string(for: try document(snapshot, ledger: ledger)) + "\n"

        guard let outputPath else {
            Console.out(text)
            return
        }
        try NewFileWriter.write(Array(text.utf8), to: outputPath)
        Console.out(
            "exported customer \(id): \(Formatting.count(snapshot.history.count, "event")), personal data "
                + "\(snapshot.state.personalData), to \(outputPath) (mode 0600)\n")
    }

    /// One customer's state, history and evaluations, read so that they agree.
    struct Snapshot {
        var state: CustomerState
        var history: [HistoryEntry]
        var tier: TierEvaluation?
        var lastPosition: UInt64
    }

    /// Reads the customer's state, history and tier, again when another process appended an
    /// event of the customer between the reads, which run in separate transactions.
    @available(*, noasync)
    static func readSnapshot(of id: CustomerID, from ledger: Ledger) throws -> Snapshot {
        for _ in 0..<snapshotAttempts {
            let lastPosition = try ledger.lastPosition()
            let state = try ledger.customer(id)
            guard let state else { break }
            let history: [HistoryEntry] = try ledger.history(of: id, types: nil)
            // Points and tier are evaluated at the customer's latest event. A program change
            // must occur after every customer event in the log, so none can apply there later.
            let tier = try ledger.tier(of: id, asOf: state.latestEventAt, forecast: true)
            guard history.last?.event.version == state.version, try ledger.customer(id)?.version == state.version else {
                continue
            }
            return Snapshot(state: state, history: history, tier: tier, lastPosition: lastPosition)
        }
        throw CommandFailure(
            "customer \(id) changed during each of \(snapshotAttempts) attempts to read a consistent export; run the command again",
            code: .conflict)
    }

    /// Returns the export document.
    @available(*, noasync)
    static func document(_ snapshot: Snapshot, ledger: Ledger) throws -> JSONValue {
        let state = snapshot.state
        let instant = state.latestEventAt
        let statement = state.pointsStatement(asOf: instant)
        var tierJSON = JSONValue.null
        if let tier = snapshot.tier {
            let program = try ledger.program(asOf: tier.asOf)
            var assignment: TierCommand.Assignment?
            if case .assigned(let assigned) = tier.reason {
                let event = snapshot.history.map(\.event).last { event in
                    guard case .tierAssigned = event.payload else { return false }
                    return event.occurredAt <= tier.asOf
                }
                assignment = TierCommand.Assignment(assigned: assigned, event: event)
            }
            tierJSON = TierCommand.json(tier, customer: state.customerID, program: program, assignment: assignment)
        }

        return .object([
            ("format", .string(format)),
            ("format_version", 1),
            ("exported_at", Formatting.json(Ledger.systemClock())),
            ("through_position", JSONValue(snapshot.lastPosition)),
            ("customer_id", JSONValue(state.customerID.rawValue)),
            ("personal_data", personalDataJSON(state, history: snapshot.history)),
            ("profile", .object(Formatting.profileMembers(state.profile))),
            ("registered_at", Formatting.json(state.registeredAt)),
            ("referrer", state.referrer.map { JSONValue($0.rawValue) } ?? .null),
            ("purchase_count", JSONValue(state.purchaseCount)),
            ("first_purchase_at", Formatting.json(state.firstPurchaseAt)),
            ("last_purchase_at", Formatting.json(state.lastPurchaseAt)),
            ("refund_count", JSONValue(state.refundCount)),
            ("spend", EraseCommand.spendJSON(state)),
            ("feedback", .object([
                ("count", JSONValue(state.feedbackCount)),
                ("average_rating", state.averageRating.map { .double(($0 * 100).rounded() / 100) } ?? .null),
                ("complaint_count", JSONValue(state.complaintCount)),
            ])),
            ("evaluated_at", Formatting.json(instant)),
            ("points", PointsCommand.json(statement, lots: state.lotsWithPoints, customer: state.customerID)),
            ("tier", tierJSON),
            ("history", .array(snapshot.history.map { Formatting.json($0) })),
        ])
    }

    /// Returns whether the personal data is in the document, and for an erased customer when and
    /// why it was erased. `erased_at` is the erasure's occurred-at, a business time that may lie
    /// in the past. `erasure_recorded_at` is when the ledger recorded the erasure.
    static func personalDataJSON(_ state: CustomerState, history: [HistoryEntry]) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("status", .string(state.personalData.description))]
        guard let erasedAt = state.erasedAt else {
            members.append(("erased", false))
            return .object(members)
        }
        var erasure: RecordedEvent?
        var reason = JSONValue.null
        for entry in history {
            if case .customerErased(let erased) = entry.event.payload {
                erasure = entry.event
                reason = .string(erased.reason)
            }
        }
        let recorded = erasure.map { ", and the ledger recorded it at \(Formatting.instant($0.recordedAt))" } ?? ""
        members += [
            ("erased", true),
            ("erased_at", Formatting.json(erasedAt)),
            ("erasure_recorded_at", Formatting.json(erasure?.recordedAt)),
            ("erasure_reason", reason),
            ("note", .string(
                "The customer's personal data was erased. The erasure occurred at \(Formatting.instant(erasedAt)) in business time\(recorded). "
                    + "The key that encrypted the data was destroyed, "
                    + "so the \(EraseCommand.erasedFields) can no longer be read by anyone. "
                    + "The province, city, purchases, refunds, spend, points, tier and event history below are kept.")),
        ]
        return .object(members)
    }
}

/// Writes a new file with mode 0600, complete or not at all, and never replaces an existing one.
///
/// The data goes to a temporary file beside the target, which is synced and then linked to the
/// target name with `link(2)`. That fails when the name exists, even when another process
/// created it a moment earlier. The temporary file is removed on every path.
enum NewFileWriter {
    /// Throws an I/O ``CommandFailure`` when something exists at `path`, a dangling symbolic link included.
    static func rejectExisting(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) != 0 else {
            throw CommandFailure("'\(path)' already exists; choose a new file name, because an export never replaces a file", code: .ioError)
        }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + (path as NSString).lastPathComponent + ".tmp-XXXXXX").utf8CString)
        // mkstemp creates the file with mode 0600.
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw CommandFailure(
                "cannot create a file in '\(folder.isEmpty ? "." : folder)': \(String(cString: strerror(errno))); check that the folder of '\(path)' exists and is writable",
                code: .ioError)
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(temporary) }
        do {
            defer { close(descriptor) }
            fchmod(descriptor, 0o600)
            try FileDescriptorOutput.writeAll(bytes, to: descriptor)
            guard fsync(descriptor) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch let error as POSIXError {
            throw CommandFailure("failed to write '\(temporary)': \(String(cString: strerror(error.code.rawValue)))", code: .ioError)
        }
        guard link(temporary, path) == 0 else {
            let code = errno
            let hint = code == EEXIST ? "; choose a new file name, because an export never replaces a file" : ""
            throw CommandFailure("cannot create '\(path)': \(String(cString: strerror(code)))\(hint)", code: .ioError)
        }
        let folderDescriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }
}
