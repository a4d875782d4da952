import CustomerLedger
import Foundation

/// `ledger rewards ACTION`: the reward runs. Its only action is `birthday`.
enum RewardsCommand: Subcommand {
    static let name = "rewards"
    static let syntax = ArgumentList.Syntax(
        command: "ledger rewards",
        summary: "Pay rewards that fall due: 'ledger rewards birthday --as-of TIME'.",
        options: [CommandContext.databaseOption],
        positionals: [.required("ACTION", help: "The reward run: birthday.")])
    static var actions: [any Subcommand.Type] { [RewardsBirthdayCommand.self] }

    static func run(_ context: CommandContext) throws {
        // A known action is dispatched before this runs, so ACTION names an unknown one here.
        let action = try context.arguments.requiredString("ACTION")
        throw UsageError("unknown rewards action '\(action)'; expected 'ledger rewards birthday --as-of TIME'")
    }
}

/// `ledger rewards birthday --as-of TIME`: pays the birthday rewards due at an instant.
enum RewardsBirthdayCommand: Subcommand {
    static let name = "birthday"
    static let syntax = ArgumentList.Syntax(
        command: "ledger rewards birthday",
        summary: "Grant the birthday rewards due at --as-of and not yet paid this year, as RewardGranted events.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write the counts as JSON instead of a sentence."),
            .value(
                "--as-of", placeholder: "TIME",
                help: "Required. Pay the rewards due at this instant, which must have passed: YYYY-MM-DD or ISO 8601."),
            CommandContext.actorOption,
        ])

    static func run(_ context: CommandContext) throws {
        let instant = try context.requiredInstant("--as-of", example: "ledger rewards birthday --as-of 1998-03-01")
        try context.rejectFutureInstant(instant, option: "--as-of")
        let ledger = try context.openExistingLedger(readOnly: false)
        if try ledger.program(asOf: instant).birthday.map({ $0.points > 0 }) != true {
            Console.error(
                "note: the program in force at \(Formatting.instant(instant)) has no birthday reward, so none is due\n")
        }
        let result = try ledger.grantBirthdayRewards(asOf: instant, metadata: EventMetadata(actor: context.actor, source: "cli"))
        MaterializedOutput.report(result, type: .rewardGranted, verb: "granted", asOf: instant, context: context)
    }
}
