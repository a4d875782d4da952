import CustomerLedger
import Foundation

/// The `ledger` command: parses the subcommand, runs it and maps every error to an exit code.
public enum LedgerCommand {
    static var subcommands: [any Subcommand.Type] {
        [
            DemoCommand.self, GenerateCommand.self, ReportCommand.self,
            ImportCommand.self, ReplayCommand.self, CustomerCommand.self, HistoryCommand.self,
            FollowCommand.self,
            TiersCommand.self, TopCommand.self, StatsCommand.self, PointsCommand.self, TierCommand.self,
            LiabilityCommand.self, RewardsCommand.self, SimulateCommand.self, ProgramCommand.self,
            VerifyCommand.self, HeadCommand.self, DoctorCommand.self, ExportCommand.self, BackupCommand.self,
            KeygenCommand.self, EraseCommand.self, ExportCustomerCommand.self, CompactCommand.self,
            SegmentsCommand.self, PurchasesCommand.self, CohortsCommand.self, RegionsCommand.self,
            FeedbackCommand.self, CareCommand.self,
        ]
    }

    /// Runs `ledger` with the arguments of this process and returns the exit status. It reads
    /// them as bytes, because `CommandLine.arguments` silently replaces invalid UTF-8 with U+FFFD.
    @available(*, noasync)
    public static func main() -> Int32 {
        var arguments: [String] = []
        var invalidUTF8Arguments: Set<String> = []
        for index in 1..<max(1, Int(CommandLine.argc)) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            if let text = String(validatingCString: pointer) {
                arguments.append(text)
            } else {
                let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
                let repaired = String(decoding: bytes, as: UTF8.self)
                arguments.append(repaired)
                invalidUTF8Arguments.insert(repaired)
            }
        }
        return main(arguments, invalidUTF8Arguments: invalidUTF8Arguments)
    }

    /// Runs `ledger` with `commandLine` (without the program name) and returns the exit status.
    /// `invalidUTF8Arguments` contains the arguments that were not valid UTF-8, as repaired to
    /// `String`, and the command rejects them.
    @available(*, noasync)
    public static func main(_ commandLine: [String], invalidUTF8Arguments: Set<String> = []) -> Int32 {
        if commandLine.first == "--db", commandLine.count < 3 {
            Console.error("ledger: missing value for option '--db'; expected 'ledger --db PATH COMMAND'\n")
            return ExitCode.usage.rawValue
        }
        let arguments = movingLeadingDatabaseOption(commandLine)
        guard let name = arguments.first, name != "-h", name != "--help", name != "help" else {
            if arguments.count > 1, let command = subcommands.first(where: { $0.name == arguments[1] }) {
                let action = arguments.count > 2 ? command.actions.first { $0.name == arguments[2] } : nil
                Console.out(helpText(of: action ?? command, actionsOf: action == nil ? command : nil))
            } else if arguments.isEmpty {
                // A missing command is a usage error, so the overview goes where errors go.
                Console.error(overview)
            } else {
                Console.out(overview)
            }
            return arguments.isEmpty ? ExitCode.usage.rawValue : ExitCode.success.rawValue
        }

        if name == "--version" {
            Console.out("ledger \(version)\n")
            return ExitCode.success.rawValue
        }
        guard var command = subcommands.first(where: { $0.name == name }) else {
            Console.error("ledger: unknown command '\(name)'; run 'ledger --help' for the list of commands\n")
            return ExitCode.usage.rawValue
        }
        // An action such as `points expire` is a subcommand of its own, with its own options.
        var commandName = name
        var commandArguments = Array(arguments.dropFirst())
        // `ledger --db PATH program show` arrives here as `--db PATH show`, so the action name
        // is found after moving the option behind it.
        if !command.actions.isEmpty { commandArguments = movingLeadingDatabaseOption(commandArguments) }
        if let actionName = commandArguments.first, let action = command.actions.first(where: { $0.name == actionName }) {
            command = action
            commandName += " " + actionName
            commandArguments.removeFirst()
        }

        do {
            let parsed = try ArgumentList(
                parsing: commandArguments, syntax: syntax(of: command), invalidUTF8Arguments: invalidUTF8Arguments)
            if parsed.isHelpRequested {
                Console.out(helpText(of: command, actionsOf: command))
                return ExitCode.success.rawValue
            }
            if parsed.declares("--db"), parsed.string("--db")?.isEmpty == true {
                throw UsageError("option '--db' expects a folder path, got an empty string")
            }
            try command.run(CommandContext(arguments: parsed, command: "ledger \(commandName)"))
            return ExitCode.success.rawValue
        } catch {
            let (message, code) = describe(error, command: command)
            Console.error("ledger \(commandName): \(message)\n")
            return code.rawValue
        }
    }

    static let version = "0.1.0"

    /// Returns the help text of `command`, followed by the actions of `parent` when it has any.
    static func helpText(of command: any Subcommand.Type, actionsOf parent: (any Subcommand.Type)?) -> String {
        var text = syntax(of: command).helpText
        guard let parent, !parent.actions.isEmpty else { return text }
        let entries = parent.actions.map { ("\(parent.syntax.command) \($0.name)", $0.syntax.summary) }
        let width = entries.map(\.0.count).max() ?? 0
        text += "\nactions, each with its own options (add --help to one to list them):\n"
        for (synopsis, summary) in entries {
            text += "  " + synopsis.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + summary + "\n"
        }
        return text
    }

    /// Returns the declaration of `command`, with `--key-file` and `--role` added to every command
    /// that opens a ledger, which its `--db` option shows, unless the command declares them itself.
    static func syntax(of command: any Subcommand.Type) -> ArgumentList.Syntax {
        let syntax = command.syntax
        guard syntax.options.contains(where: { $0.names.contains("--db") }) else { return syntax }
        let declared = Set(syntax.options.flatMap(\.names))
        let shared = [CommandContext.keyFileOption, CommandContext.roleOption]
        return syntax.adding(shared.filter { declared.isDisjoint(with: $0.names) })
    }

    /// Moves a `--db PATH` or `--db=PATH` given before the command name to after it, so that
    /// `ledger --db shop.db stats` works like `ledger stats --db shop.db`.
    static func movingLeadingDatabaseOption(_ arguments: [String]) -> [String] {
        guard let first = arguments.first else { return arguments }
        if first == "--db", arguments.count >= 3 {
            return [arguments[2], "--db", arguments[1]] + arguments.dropFirst(3)
        }
        if first.hasPrefix("--db="), arguments.count >= 2 {
            return [arguments[1], first] + arguments.dropFirst(2)
        }
        return arguments
    }

    static var overview: String {
        var text = """
            ledger: an append-only customer ledger on LMDB, with loyalty points and tiers.

            usage: ledger [--db PATH] COMMAND [options]

            Commands:

            """
        var entries: [(name: String, summary: String)] = []
        for command in subcommands {
            entries.append((command.name, command.syntax.summary))
            entries += command.actions.map { (command.name + " " + $0.name, $0.syntax.summary) }
        }
        let width = entries.map(\.name.count).max() ?? 0
        for entry in entries {
            text += "  " + entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + entry.summary + "\n"
        }
        text += """

            The database folder comes from --db PATH, else the LEDGER_DB environment variable,
            else ./ledger.db. Run 'ledger COMMAND --help' for a command's options.

            Exit codes: 0 success, 1 failure, 64 invalid command line, 65 invalid data, a
            rejected business rule or a 'ledger verify' finding, 66 not found, 70 internal
            error, 74 storage or file error, 75 version conflict or ledger in use (retry), 77
            master key missing, wrong or unsafe, or a role not allowed.

            Personal data is encrypted under a master key: create one with 'ledger keygen FILE'
            and pass it with --key-file FILE or LEDGER_KEY_FILE. --role (or LEDGER_ROLE) is
            admin, support (phone and email masked) or analyst (no personal data).

            """
        return text
    }

    /// Returns the message and exit code for an error that ended a command.
    static func describe(_ error: any Error, command: any Subcommand.Type) -> (String, ExitCode) {
        switch error {
        case let usage as UsageError:
            return ("\(usage.message)\n\(command.syntax.usage)", .usage)
        case let failure as CommandFailure:
            return (failure.message, failure.code)
        case let ledgerError as LedgerError:
            switch ledgerError {
            case .versionConflict, .inUse: return (ledgerError.description, .conflict)
            case .readOnly: return (ledgerError.description, .failure)
            default: return (ledgerError.description, .dataError)
            }
        case let rowError as ImportRowError:
            return (rowError.description + "; nothing was written", .dataError)
        case let parseError as CDNOWParseError:
            return (parseError.description + "; nothing was written", parseError.field == .file ? .notFound : .dataError)
        case let overflow as AnalysisOverflowError:
            return (overflow.description, .dataError)
        case let storage as LMDBError:
            return (storage.description, .ioError)
        case let storage as StorageError:
            return (storage.description, .ioError)
        case let privacy as PrivacyError:
            switch privacy {
            case .tamperedCiphertext, .customerErased:
                return (privacy.description, .dataError)
            case .masterKeyRequired(let operation):
                return (masterKeyRequiredMessage(command: command.syntax.command, operation: operation), .permission)
            case .roleNotAllowed(let role, let operation):
                return (roleNotAllowedMessage(role: role, operation: operation), .permission)
            default:
                return (privacy.description, .permission)
            }
        default:
            return ("\(error)", .internal)
        }
    }
}

extension LedgerCommand {
    /// The operation of ``PrivacyError/masterKeyRequired(_:)`` when a command would create a new
    /// ledger, as `Ledger.init(path:options:)` and ``CommandContext/openLedger(at:readOnly:program:)`` name it.
    static let creatingLedgerOperation = "creating a ledger"

    /// The operations that only the admin role may run. The support role may run every other
    /// change, such as appending, importing, replaying or compacting.
    // NOTE: These are the operation names that CustomerLedger and the erase and export-customer
    // commands throw. An admin-only operation missing here makes an analyst's message suggest
    // --role support too. The CLI tests run each of them through a command.
    static let adminOnlyOperations: Set<String> = [
        "erasing customers", "importing erasures", "exporting a customer's personal data",
    ]

    /// Returns the message for `command`, such as `ledger import`, run without the master key
    /// that `operation` needs. `reason`, such as `", because it writes …"`, follows "master key".
    static func masterKeyRequiredMessage(command: String, operation: String, reason: String = "") -> String {
        if operation == creatingLedgerOperation {
            return "\(command) creates a new ledger, which needs a master key; create one with 'ledger keygen FILE' first, "
                + "then pass --key-file FILE or set LEDGER_KEY_FILE"
        }
        return "\(command) needs the ledger's master key\(reason); pass --key-file FILE or set LEDGER_KEY_FILE"
    }

    /// Returns the message for a role that may not run `operation`, naming the roles that may.
    static func roleNotAllowedMessage(role: AccessRole, operation: String) -> String {
        // Only an analyst can fail on an operation that support may run, because support may run
        // everything but the admin-only operations.
        guard role == .analyst, !adminOnlyOperations.contains(operation) else {
            return "\(operation) is not allowed for the \(role) role; use --role admin"
        }
        return "\(operation) is not allowed for the analyst role, which only reads; use --role admin or --role support"
    }
}

/// A failure a command reports with its own message and exit code.
struct CommandFailure: Error {
    let message: String
    let code: ExitCode

    init(_ message: String, code: ExitCode) {
        self.message = message
        self.code = code
    }
}

/// One `ledger` subcommand.
protocol Subcommand {
    static var name: String { get }
    static var syntax: ArgumentList.Syntax { get }
    /// Subcommands chosen by the first argument after this one's name, such as `expire` in
    /// `ledger points expire`. Empty for most commands.
    static var actions: [any Subcommand.Type] { get }
    @available(*, noasync)
    static func run(_ context: CommandContext) throws
}

extension Subcommand {
    static var actions: [any Subcommand.Type] { [] }
}

/// Writers for standard output, which carries data, and standard error, which carries progress
/// and messages.
enum Console {
    static func out(_ text: String) {
        print(text, terminator: "")
    }

    /// Writes to standard error after flushing standard output, so that the two interleave in order.
    static func error(_ text: String) {
        fflush(nil)
        FileHandle.standardError.write(Data(text.utf8))
    }
}
