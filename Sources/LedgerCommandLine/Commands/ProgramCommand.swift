import CustomerLedger
import Foundation

/// `ledger program ACTION`: records, shows and lists the versions of the loyalty program.
enum ProgramCommand: Subcommand {
    static let name = "program"
    static let syntax = ArgumentList.Syntax(
        command: "ledger program",
        summary: "Set, show or list the versions of the loyalty program.",
        options: [CommandContext.databaseOption],
        positionals: [.required("ACTION", help: "set, show or history.")])
    static var actions: [any Subcommand.Type] {
        [ProgramSetCommand.self, ProgramShowCommand.self, ProgramHistoryCommand.self]
    }

    /// Runs only when the first argument names no action.
    static func run(_ context: CommandContext) throws {
        let action = try context.arguments.requiredString("ACTION")
        throw UsageError(
            "unknown action '\(action)' for 'ledger program'; expected "
                + actions.map { $0.name }.joined(separator: ", "))
    }

    /// One version of the program: the base program the ledger was created with (number 0,
    /// without an event), or a version that a program event recorded.
    struct Version {
        let number: Int
        /// Nil for the base program, which is in force from the start of the log.
        let effectiveFrom: Timestamp?
        let event: RecordedEvent?
        let program: LoyaltyProgram
    }

    /// Returns the base program and every recorded version, oldest first.
    @available(*, noasync)
    static func versions(_ ledger: Ledger) throws -> [Version] {
        guard let base = try ledger.programVersions().first?.program else {
            throw CommandFailure("the ledger returned no base program", code: .internal)
        }
        var versions = [Version(number: 0, effectiveFrom: nil, event: nil, program: base)]
        for event in try ledger.programEvents() {
            switch event.payload {
            case .programDefined(let version), .programChanged(let version):
                versions.append(
                    Version(
                        number: Int(event.version), effectiveFrom: version.effectiveFrom, event: event,
                        program: version.program))
            default:
                throw CommandFailure(
                    "the event at position \(event.position) is listed as a program version but is a \(event.typeName)",
                    code: .internal)
            }
        }
        return versions
    }
}

/// `ledger program set FILE --effective TIME`: records a new version of the program.
enum ProgramSetCommand: Subcommand {
    static let name = "set"
    static let syntax = ArgumentList.Syntax(
        command: "ledger program set",
        summary: "Record the program in a JSON file as the program from an instant on.",
        options: [
            CommandContext.databaseOption,
            .value(
                "--effective", placeholder: "TIME",
                help: "The instant the program takes effect: YYYY-MM-DD or ISO 8601. It must be later than every customer event in the ledger, "
                    + "and at most \(farFutureDays) days after the current time unless --allow-far-future is given."),
            .flag(
                "--allow-far-future",
                help: "Accept a --effective more than \(farFutureDays) days after the current time, which is otherwise rejected as a likely typo."),
            CommandContext.actorOption,
        ],
        positionals: [.required("FILE", help: "The program document (JSON), as 'ledger program show --json' writes it.")])

    /// The furthest ahead of the current time, in days, that `--effective` may be without
    /// `--allow-far-future`. It is enough to plan a change a year ahead.
    static let farFutureDays = 366

    static func run(_ context: CommandContext) throws {
        let file = try context.arguments.requiredString("FILE")
        let effective = try context.requiredInstant(
            "--effective", example: "ledger program set \(CommandContext.shellQuoted(file)) --effective 2024-07-01")
        if !context.arguments.flag("--allow-far-future") { try rejectFarFuture(effective) }
        let program: LoyaltyProgram
        do {
            program = try ProgramFile.load(file)
        } catch {
            throw CommandFailure(error.message + "; nothing was written", code: error.code)
        }

        let ledger = try context.openExistingLedger(readOnly: false)
        let outcome: Ledger.AppendOutcome
        do {
            outcome = try ledger.setProgram(
                program, effectiveFrom: effective, metadata: EventMetadata(actor: context.actor, source: "ledger program set"))
        } catch LedgerError.ruleViolation(_, _, let reason) {
            throw CommandFailure("the program in \(file) was rejected: \(reason); nothing was written", code: .dataError)
        }
        let type: EventType = outcome.version == 1 ? .programDefined : .programChanged
        Console.out(
            "recorded \(type) at position \(Formatting.grouped(outcome.position)) (program version \(outcome.version)): "
                + "the program in \(file) is in force from \(effective)\n")
    }
}

extension ProgramSetCommand {
    /// Throws a ``UsageError`` when `effective` is more than ``farFutureDays`` days after the
    /// current time. Such an instant is most likely a typo, such as 2205 for 2025, which would
    /// leave the intended program out of force without any error.
    static func rejectFarFuture(_ effective: Timestamp) throws {
        let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let limit = Timestamp(microseconds: now.microseconds + Int64(farFutureDays) * Timestamp.microsecondsPerDay)
        guard effective > limit else { return }
        throw UsageError(
            "--effective \(effective) is more than \(farFutureDays) days after the current time "
                + "(now \(Timestamp(seconds: now.microseconds / 1_000_000))); check the date for a typo, "
                + "or pass --allow-far-future to record a program that far ahead")
    }
}

/// `ledger program show`: the program in force, in words or as its JSON document.
enum ProgramShowCommand: Subcommand {
    static let name = "show"
    static let syntax = ArgumentList.Syntax(
        command: "ledger program show",
        summary: "Show every rule of the program in force.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write the program document (JSON), which 'ledger program set' reads back."),
            .value(
                "--as-of", placeholder: "TIME",
                help: "Show the program in force at this instant: YYYY-MM-DD or ISO 8601 (default: the newest version)."),
        ])

    static func run(_ context: CommandContext) throws {
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let versions = try ProgramCommand.versions(ledger)
        let index =
            requested.flatMap { instant in versions.lastIndex { ($0.effectiveFrom ?? instant) <= instant } }
            ?? versions.count - 1
        let version = versions[index]

        if context.wantsJSON {
            context.printJSON(ProgramDocument.json(version.program))
            return
        }
        let next = index + 1 < versions.count ? versions[index + 1].effectiveFrom : nil
        let start = version.effectiveFrom.map { "from \(Formatting.instant($0))" } ?? "from the start of the log"
        let lines: [(String, String)] = [
            ("version", describe(version, newest: versions.count - 1)),
            ("in force", start + (next.map { " until \(Formatting.instant($0))" } ?? "")),
        ]
        Console.out(Formatting.labelled(lines + ProgramSummary.lines(version.program)))
    }

    private static func describe(_ version: ProgramCommand.Version, newest: Int) -> String {
        var text: String
        if let event = version.event {
            text = "\(version.number), recorded by \(event.typeName) at position \(Formatting.grouped(event.position))"
            if !event.metadata.actor.isEmpty { text += " by \(event.metadata.actor)" }
        } else {
            text = "0, the program the ledger was created with"
        }
        if version.number < newest { text += " (the newest version is \(newest))" }
        return text
    }
}

/// `ledger program history`: every version of the program with its effective instant.
enum ProgramHistoryCommand: Subcommand {
    static let name = "history"
    static let syntax = ArgumentList.Syntax(
        command: "ledger program history",
        summary: "List the versions of the program with the instants they take effect.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write a JSON array of the versions, each with its program document."),
        ])

    static func run(_ context: CommandContext) throws {
        let ledger = try context.openExistingLedger()
        let versions = try ProgramCommand.versions(ledger)
        if context.wantsJSON {
            context.printJSON(.array(versions.map(json)))
            return
        }
        var table = TextTable(columns: [
            .init("VERSION", alignment: .right), .init("IN FORCE FROM"), .init("EVENT"),
            .init("POSITION", alignment: .right), .init("RECORDED"), .init("ACTOR"), .init("CURRENCY"), .init("TIERS"),
        ])
        for version in versions {
            let event = version.event
            table.addRow([
                String(version.number),
                version.effectiveFrom.map(Formatting.instant) ?? "start of the log",
                event?.typeName ?? "ledger created",
                event.map { Formatting.grouped($0.position) } ?? "—",
                event.map { String($0.recordedAt.description.prefix(19)) + "Z" } ?? "—",
                event?.metadata.actor ?? "—",
                version.program.currency.code,
                version.program.tiers.map(\.name).joined(separator: ", "),
            ])
        }
        Console.out(table.render())
    }

    static func json(_ version: ProgramCommand.Version) -> JSONValue {
        .object([
            ("version", JSONValue(version.number)),
            ("effective_from", Formatting.json(version.effectiveFrom)),
            ("event_type", JSONValue(version.event?.typeName)),
            ("position", version.event.map { JSONValue($0.position) } ?? .null),
            ("recorded_at", Formatting.json(version.event?.recordedAt)),
            ("actor", JSONValue(version.event?.metadata.actor)),
            ("source", JSONValue(version.event?.metadata.source)),
            ("program", ProgramDocument.json(version.program)),
        ])
    }
}
