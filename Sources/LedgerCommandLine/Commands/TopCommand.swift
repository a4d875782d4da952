import CustomerLedger
import Foundation

/// `ledger top`: the customers with the most spend, points or purchases.
enum TopCommand: Subcommand {
    static let name = "top"
    static let syntax = ArgumentList.Syntax(
        command: "ledger top",
        summary: "List the top customers by net spend, points balance or purchases.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption,
            .value(
                "--as-of", placeholder: "TIME",
                help: "Show tiers at this instant and leave out customers registered later; ranking uses current totals."),
            .value("--by", placeholder: "KEY", help: "Rank by spend (net, program currency), points or purchases (default spend)."),
            .value("-n", "--limit", placeholder: "N", help: "Number of customers to list, 1 to 10000 (default 10)."),
        ])

    enum Ranking: String, CaseIterable {
        case spend, points, purchases
    }

    static func run(_ context: CommandContext) throws {
        let byText = context.arguments.string("--by") ?? "spend"
        guard let ranking = Ranking(rawValue: byText) else {
            throw UsageError("invalid value '\(byText)' for --by; expected spend, points or purchases")
        }
        let limit = try context.arguments.integer("-n", in: 1...10_000) ?? 10
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let program = try ledger.program(asOf: instant)
        let ranked = try top(ledger, by: ranking, limit: limit, currency: program.currency, registeredBy: instant)
        let tiers = try ranked.map { try ledger.tier(of: $0.customerID, asOf: instant)?.tierName ?? "" }

        if context.wantsJSON {
            context.printJSON(.object([
                ("by", .string(ranking.rawValue)), ("as_of", Formatting.json(instant)),
                ("customers", .array(zip(ranked, tiers).enumerated().map { index, pair in
                    .object([
                        ("rank", JSONValue(index + 1)), ("customer_id", JSONValue(pair.0.customerID.rawValue)),
                        ("name", .string(pair.0.profile.name)),
                        ("personal_data", .string(pair.0.personalData.description)),
                        ("net_spend", Formatting.json(Money(minorUnits: pair.0.spend(in: program.currency).net, currency: program.currency))),
                        ("purchases", JSONValue(pair.0.purchaseCount)), ("points", JSONValue(pair.0.points.balance)),
                        ("tier", .string(pair.1)),
                    ])
                })),
            ]))
            return
        }
        Console.out(render(ranked, tiers: tiers, currency: program.currency))
    }

    /// Returns the `limit` customers with the highest value of `ranking`, ties broken by customer id.
    @available(*, noasync)
    static func top(
        _ ledger: Ledger, by ranking: Ranking, limit: Int, currency: Currency, registeredBy instant: Timestamp? = nil
    ) throws -> [CustomerState] {
        func key(_ state: CustomerState) -> Int64 {
            switch ranking {
            case .spend: state.spend(in: currency).net
            case .points: state.points.balance
            case .purchases: state.purchaseCount
            }
        }
        var best: [(Int64, CustomerState)] = []
        try ledger.forEachCustomer { state in
            if let instant, state.registeredAt > instant { return }
            best.append((key(state), state))
            if best.count >= limit * 4 + 64 {
                best.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1.customerID < $1.1.customerID }
                best.removeLast(best.count - limit)
            }
        }
        best.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1.customerID < $1.1.customerID }
        return best.prefix(limit).map(\.1)
    }

    static func render(_ ranked: [CustomerState], tiers: [String], currency: Currency) -> String {
        var table = TextTable(columns: [
            .init("#", alignment: .right), .init("CUSTOMER", alignment: .right), .init("NAME", maximumWidth: 24),
            .init("NET SPEND", alignment: .right), .init("PURCHASES", alignment: .right),
            .init("POINTS", alignment: .right), .init("TIER"),
        ])
        for (index, (state, tier)) in zip(ranked, tiers).enumerated() {
            table.addRow([
                String(index + 1), "\(state.customerID)", Formatting.nameCell(state),
                Formatting.money(state.spend(in: currency).net, currency), Formatting.grouped(state.purchaseCount),
                Formatting.grouped(state.points.balance), tier,
            ])
        }
        return table.render()
    }
}
