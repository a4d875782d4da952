import CustomerLedger
import Foundation

/// `ledger head`: the last position and its hash-chain hash.
enum HeadCommand: Subcommand {
    static let name = "head"
    static let syntax = ArgumentList.Syntax(
        command: "ledger head",
        summary: "Show the last position and its hash-chain hash, to record for a later 'ledger verify'.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption])

    static func run(_ context: CommandContext) throws {
        let ledger = try context.openExistingLedger()
        let head = try ledger.head()
        if context.wantsJSON {
            context.printJSON(json(head))
            return
        }
        Console.out("position  \(head.position)\nhash      \(head.hash)\n")
    }

    static func json(_ head: LogHead) -> JSONValue {
        .object([("position", JSONValue(head.position)), ("hash", .string(head.hash))])
    }
}
