import CustomerLedger
import Foundation

/// The parsed arguments of a subcommand and the ledger they name.
struct CommandContext {
    let arguments: ArgumentList
    /// The command as typed, such as `ledger history`, for messages.
    let command: String

    static let databaseOption = ArgumentList.Option.value(
        "--db", placeholder: "PATH", help: "Ledger database folder (default: $LEDGER_DB, else ./ledger.db).")
    static let jsonOption = ArgumentList.Option.flag("--json", help: "Write JSON instead of a table.")
    static let asOfOption = ArgumentList.Option.value(
        "--as-of", placeholder: "TIME",
        help: "Evaluate tiers at this instant: YYYY-MM-DD or ISO 8601 (default: the latest event's occurred-at).")

    static let keyFileOption = ArgumentList.Option.value(
        "--key-file", placeholder: "FILE",
        help: "Master key file from 'ledger keygen' (default: $LEDGER_KEY_FILE). Without it an encrypted ledger is read-only and personal data is withheld.")
    static let roleOption = ArgumentList.Option.value(
        "--role", placeholder: "ROLE",
        help: "admin, support (phone and email masked) or analyst (no personal data) (default: $LEDGER_ROLE, else admin).")

    /// The key file path: `--key-file`, else `LEDGER_KEY_FILE` unless it is empty, else nil.
    var keyFilePath: String? {
        arguments.string("--key-file")
            ?? ProcessInfo.processInfo.environment["LEDGER_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads the master key from the file that ``keyFilePath`` names, or returns nil without one.
    func masterKey() throws -> MasterKey? {
        guard let path = keyFilePath else { return nil }
        guard !path.isEmpty else { throw UsageError("option '--key-file' expects a file path, got an empty string") }
        return try MasterKey(contentsOfFile: path)
    }

    /// Returns the role from `--role`, else `LEDGER_ROLE`, else admin.
    func role() throws -> AccessRole {
        let fromOption = arguments.string("--role")
        let text = fromOption ?? ProcessInfo.processInfo.environment["LEDGER_ROLE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let text else { return .admin }
        guard let role = AccessRole(rawValue: text) else {
            let source = fromOption == nil ? "LEDGER_ROLE" : "--role"
            throw UsageError("invalid role '\(text)' for \(source); expected admin, support or analyst")
        }
        return role
    }

    /// Returns the options to open the ledger with: the master key, the role and the actor.
    func ledgerOptions(readOnly: Bool, program: LoyaltyProgram? = nil) throws -> Ledger.Options {
        var options = Ledger.Options(program: program, readOnly: readOnly, masterKey: try masterKey(), role: try role())
        let chosen = arguments.declares("--actor") ? arguments.string("--actor") : nil
        if let actor = chosen ?? ProcessInfo.processInfo.environment["USER"], !actor.isEmpty {
            options.actor = actor
        }
        return options
    }

    /// Opens the ledger at `path` with the command's key and role, warning on standard error
    /// when group or others can read its files.
    /// - parameter clearingStaleReaders: false leaves dead processes' reader slots for `ledger doctor` to report.
    @available(*, noasync)
    func openLedger(
        at path: String, readOnly: Bool, program: LoyaltyProgram? = nil, clearingStaleReaders: Bool = true
    ) throws -> Ledger {
        var options = try ledgerOptions(readOnly: readOnly, program: program)
        options.clearsStaleReadersOnOpen = clearingStaleReaders
        // Creating a ledger without a key is checked here too, so that the message explains how
        // to create a key, whatever words the library uses for the operation.
        var info = stat()
        if !readOnly, options.encryptsPersonalData, options.masterKey == nil, stat(path + "/data.mdb", &info) != 0, errno == ENOENT {
            throw PrivacyError.masterKeyRequired(LedgerCommand.creatingLedgerOperation)
        }
        let ledger = try Ledger(path: path, options: options)
        Self.warnAboutOpenPermissions(ledger.path)
        if !ledger.isEncrypted && options.masterKey != nil {
            Console.error(
                "ledger: warning: the ledger at '\(ledger.path)' keeps personal data in clear, because it was created before encryption, so the master key is not used and erasure is not possible\n")
        }
        if ledger.isEncrypted && options.masterKey == nil && !readOnly {
            throw PrivacyError.masterKeyRequired("writing to the ledger")
        }
        return ledger
    }

    /// Warns once per file when the ledger folder or a database file can be read by group or others.
    static func warnAboutOpenPermissions(_ folder: String) {
        for path in [folder, folder + "/data.mdb", folder + "/lock.mdb"] {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & 0o077 != 0 else { continue }
            let mode = String(info.st_mode & 0o777, radix: 8)
            let fix = path == folder ? "chmod 700" : "chmod 600"
            Console.error(
                "ledger: warning: '\(path)' has mode \(mode), so other users may read customer data; run '\(fix) \(CommandContext.shellQuoted(path))'\n")
        }
    }

    /// The database folder: `--db`, else `LEDGER_DB`, else `./ledger.db`.
    var databasePath: String {
        if let path = arguments.string("--db") { return path }
        if let path = ProcessInfo.processInfo.environment["LEDGER_DB"], !path.isEmpty { return path }
        return "ledger.db"
    }

    var wantsJSON: Bool { arguments.flag("--json") }

    /// Opens an existing ledger, read-only by default, and throws a ``CommandFailure`` with exit
    /// code 66 (not found) when the folder contains no `data.mdb`.
    @available(*, noasync)
    func openExistingLedger(readOnly: Bool = true, clearingStaleReaders: Bool = true) throws -> Ledger {
        let path = databasePath
        var info = stat()
        if stat(path + "/data.mdb", &info) != 0 {
            let code = errno
            switch code {
            case EACCES, EPERM:
                throw CommandFailure(
                    "permission denied reading the ledger at '\(path)'; run as a user who can read and write that folder",
                    code: .ioError)
            case ENOTDIR:
                throw CommandFailure("'\(path)' is a file, not a ledger folder; pass --db with a ledger folder", code: .ioError)
            default:
                throw CommandFailure(
                    "no ledger at '\(path)'; import data first ('ledger import cdnow FILE --db \(Self.shellQuoted(path)) --key-file KEY', "
                        + "with a KEY from 'ledger keygen KEY') or pass --db PATH",
                    code: .notFound)
            }
        }
        return try openLedger(at: path, readOnly: readOnly, clearingStaleReaders: clearingStaleReaders)
    }

    /// Returns `text` quoted for a POSIX shell when it contains anything but safe characters.
    static func shellQuoted(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "/._-+=:,@".unicodeScalars.contains(scalar))
        }
        return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Parses a customer id argument such as `42` or `00042`.
    func customerID(_ name: String = "ID") throws -> CustomerID {
        let text = try arguments.requiredString(name)
        guard let id = CustomerID(parsing: text) else {
            throw UsageError("invalid customer id '\(text)'; expected a positive decimal number such as 42")
        }
        return id
    }

    /// Parses `--as-of` and returns its instant, or `nil` without the option. Commands call it
    /// before opening the ledger, so that an invalid time exits with 64 even when no ledger exists.
    func requestedInstant() throws -> Timestamp? {
        guard let text = arguments.string("--as-of") else { return nil }
        guard let instant = Timestamp(parsing: text) else {
            throw UsageError(
                "invalid time '\(text)' for --as-of; expected YYYY-MM-DD or an ISO 8601 time such as 2024-03-01T08:00:00Z")
        }
        return instant
    }

    /// Returns the evaluation instant: `requested`, else the latest occurred-at in the ledger, so
    /// that historical data is judged as of its own end rather than today. An empty ledger gives
    /// 1970-01-01T00:00:00Z.
    @available(*, noasync)
    func evaluationInstant(_ ledger: Ledger, requested: Timestamp?) throws -> Timestamp {
        if let requested { return requested }
        return try ledger.statistics().latestOccurredAt ?? Timestamp(microseconds: 0)
    }

    /// Writes a JSON value to standard output, pretty-printed, with a final newline.
    func printJSON(_ value: JSONValue) {
        Console.out(JSONWriter(style: .pretty).string(for: value) + "\n")
    }
}
