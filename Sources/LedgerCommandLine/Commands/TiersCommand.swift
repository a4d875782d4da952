import CustomerLedger
import Foundation

/// `ledger tiers`: the number of customers in each tier as of an instant.
enum TiersCommand: Subcommand {
    static let name = "tiers"
    static let syntax = ArgumentList.Syntax(
        command: "ledger tiers",
        summary: "Show the tier ladder and the number of customers in each tier.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.asOfOption])

    static func run(_ context: CommandContext) throws {
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let program = try ledger.program(asOf: instant)
        let counts = try distribution(ledger, asOf: instant, program: program)
        let total = counts.reduce(0, +)

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)),
                ("window", .string(program.tierWindow.description)),
                ("window_days", program.tierWindow.days.map { JSONValue($0) } ?? .null),
                ("customers", JSONValue(total)),
                ("tiers", .array(zip(program.tiers, counts).map { rule, count in
                    .object([
                        ("name", .string(rule.name)), ("customers", JSONValue(count)),
                        ("minimum_net_spend", Formatting.json(Money(minorUnits: rule.minimumNetSpend, currency: program.currency))),
                        ("minimum_purchases", JSONValue(rule.minimumPurchases)),
                        ("minimum_tenure_days", JSONValue(rule.minimumTenureDays)),
                        ("minimum_points_earned", JSONValue(rule.minimumPointsEarned)),
                        ("multiplier", .string(ProgramDocument.multiplierText(rule.multiplier))),
                    ])
                })),
            ]))
            return
        }
        Console.out("tiers as of \(Formatting.instant(instant)), over \(program.tierWindow)\n\n")
        Console.out(render(counts, program: program))
    }

    /// Counts customers per tier index, leaving out customers registered after `instant`.
    @available(*, noasync)
    static func distribution(_ ledger: Ledger, asOf instant: Timestamp, program: LoyaltyProgram) throws -> [Int] {
        var counts = Array(repeating: 0, count: program.tiers.count)
        for (state, tier) in try ledger.tiers(asOf: instant, personalData: false) where state.registeredAt <= instant {
            counts[tier.tierIndex] += 1
        }
        return counts
    }

    /// Renders one row per tier. The multiplier column appears only when a tier earns other
    /// than ×1, so that the common ladder stays narrow.
    static func render(_ counts: [Int], program: LoyaltyProgram) -> String {
        let total = max(1, counts.reduce(0, +))
        let showsMultiplier = program.tiers.contains { $0.multiplier != 1000 }
        var columns: [TextTable.Column] = [
            .init("TIER"), .init("CUSTOMERS", alignment: .right), .init("SHARE", alignment: .right),
        ]
        if showsMultiplier { columns.append(.init("EARNS", alignment: .right)) }
        columns.append(.init("REQUIRES IN WINDOW"))
        var table = TextTable(columns: columns)
        for (rule, count) in zip(program.tiers, counts) {
            var row = [rule.name, Formatting.grouped(count), String(format: "%.1f%%", Double(count) * 100 / Double(total))]
            if showsMultiplier { row.append("×" + ProgramDocument.multiplierText(rule.multiplier)) }
            row.append(requirements(of: rule, currency: program.currency))
            table.addRow(row)
        }
        return table.render()
    }

    /// Returns the tier's requirements in words, such as `net spend ≥ 100.00 CNY, ≥ 2 purchases`,
    /// or `—` for none.
    static func requirements(of rule: TierRule, currency: Currency) -> String {
        var requirements: [String] = []
        if rule.minimumNetSpend > 0 {
            requirements.append("net spend ≥ \(Formatting.money(rule.minimumNetSpend, currency))")
        }
        if rule.minimumPurchases > 0 { requirements.append("≥ \(Formatting.count(rule.minimumPurchases, "purchase"))") }
        if rule.minimumTenureDays > 0 { requirements.append("tenure ≥ \(Formatting.count(rule.minimumTenureDays, "day"))") }
        if rule.minimumPointsEarned > 0 {
            requirements.append("≥ \(Formatting.count(rule.minimumPointsEarned, "point")) earned")
        }
        return requirements.isEmpty ? "—" : requirements.joined(separator: ", ")
    }
}
