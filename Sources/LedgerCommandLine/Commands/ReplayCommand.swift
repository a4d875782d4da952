import CustomerLedger
import Foundation

/// `ledger replay`: rebuilds every projection from the log and swaps it in.
enum ReplayCommand: Subcommand {
    static let name = "replay"
    static let syntax = ArgumentList.Syntax(
        command: "ledger replay",
        summary: "Rebuild all projections from position 1 and swap them in atomically.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption])

    static func run(_ context: CommandContext) throws {
        let ledger = try context.openExistingLedger(readOnly: false)
        let before = try ledger.projectionFingerprint()
        let bar = ProgressBar(total: Int(try ledger.lastPosition()), label: "replay")
        let start = DispatchTime.now().uptimeNanoseconds
        let summary = try ledger.replay { done, _ in bar.update(completed: Int(done)) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        bar.finish()
        let after = try ledger.projectionFingerprint()
        let rate = seconds > 0 ? Double(summary.events) / seconds : 0

        if context.wantsJSON {
            context.printJSON(.object([
                ("events", JSONValue(summary.events)), ("customers", JSONValue(summary.customers)),
                ("orders", JSONValue(summary.orders)), ("position", JSONValue(summary.position)),
                ("seconds", .double((seconds * 1000).rounded() / 1000)),
                ("events_per_second", JSONValue(Int64(rate))),
                ("projections_unchanged", .bool(before == after)),
                ("fingerprint", .string(after)),
            ]))
            return
        }
        Console.out(
            "replayed \(Formatting.grouped(summary.events)) events of \(Formatting.grouped(summary.customers)) customers "
                + "in \(String(format: "%.2f", seconds)) s (\(Formatting.grouped(Int64(rate))) events/s)\n")
        Console.out(
            before == after
                ? "projections identical to the incrementally kept ones (fingerprint \(after))\n"
                : "projections changed: fingerprint \(before) before, \(after) after\n")
    }
}
