import CustomerLedger
import Foundation

/// `ledger simulate --program FILE`: what a candidate program would do to tiers and points,
/// without writing anything.
enum SimulateCommand: Subcommand {
    static let name = "simulate"
    static let syntax = ArgumentList.Syntax(
        command: "ledger simulate",
        summary: "Replay the log under a candidate program and compare tiers and points; writes nothing.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write JSON instead of tables, with every customer whose tier changes."),
            .value("--program", placeholder: "FILE", help: "Required. The candidate program, a JSON program document."),
            .value(
                "--as-of", placeholder: "TIME",
                help: "Compare tiers and points at this instant: YYYY-MM-DD or ISO 8601 (default: the latest event's occurred-at)."),
        ])

    /// The number of tier changes that text output lists. `--json` lists all of them.
    static let listedChanges = 20

    static func run(_ context: CommandContext) throws {
        guard let path = context.arguments.string("--program") else {
            throw UsageError("missing option '--program FILE'; pass a JSON program document, as 'ledger program set' reads")
        }
        let requested = try context.requestedInstant()
        let candidate = try ProgramFile.load(path)
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let current = try ledger.program(asOf: instant)
        let report = try ledger.simulate(program: candidate, asOf: instant)
        // The library saturates figures beyond Int64, which would print as if exact, and the
        // changes below subtract them.
        try CommandContext.requireExactValue(
            report.currentValue, of: report.currentPoints, label: "the points held under the current program",
            currency: current.currency)
        try CommandContext.requireExactValue(
            report.candidateValue, of: report.candidatePoints, label: "the points held under the candidate program",
            currency: candidate.currency)
        guard !report.candidatePoints.subtractingReportingOverflow(report.currentPoints).overflow,
            !report.candidateValue.subtractingReportingOverflow(report.currentValue).overflow
        else {
            throw CommandFailure(
                "the change from the current to the candidate program is beyond the range of 64-bit integers, so it cannot be shown exactly; lower the candidate's point value or the points it awards",
                code: .dataError)
        }

        if context.wantsJSON {
            context.printJSON(json(report, path: path, current: current, candidate: candidate))
            return
        }
        Console.out(render(report, path: path, current: current, candidate: candidate))
    }

    // MARK: - Text

    static func render(_ report: SimulationReport, path: String, current: LoyaltyProgram, candidate: LoyaltyProgram) -> String {
        var text = "simulation as of \(Formatting.instant(report.asOf)): the program in force then against \(path); nothing was written\n\n"
        text += tierTable(report) + "\n"
        text += pointsTable(report, current: current, candidate: candidate) + "\n"

        let changes = report.changes
        if changes.isEmpty {
            return text + "no customer changes tier\n"
        }
        let listed = changes.prefix(listedChanges)
        let moves = RankMoves(report)
        text += "\(Formatting.count(changes.count, "customer")) would change tier: \(Formatting.grouped(moves.up)) up, "
            + "\(Formatting.grouped(moves.down)) down and \(Formatting.grouped(moves.renamed)) to a new name at the same rank.\n"
        text += changes.count > listed.count ? "The first \(listed.count), in customer order (--json lists all):\n\n" : "\n"
        var table = TextTable(columns: [.init("CUSTOMER", alignment: .right), .init("CURRENT TIER"), .init("CANDIDATE TIER")])
        for change in listed {
            table.addRow(["\(change.customerID)", change.from, change.to])
        }
        return text + table.render()
    }

    /// Renders the two ladders side by side, rung by rung, with each tier's customers and share.
    static func tierTable(_ report: SimulationReport) -> String {
        let currentTotal = report.currentTiers.reduce(0, +)
        let candidateTotal = report.candidateTiers.reduce(0, +)
        var table = TextTable(columns: [
            .init("RANK", alignment: .right), .init("CURRENT TIER"), .init("CUSTOMERS", alignment: .right),
            .init("SHARE", alignment: .right), .init("CANDIDATE TIER"), .init("CUSTOMERS", alignment: .right),
            .init("SHARE", alignment: .right),
        ])
        for rank in 0..<max(report.currentTierNames.count, report.candidateTierNames.count) {
            var cells = [String(rank)]
            if rank < report.currentTierNames.count {
                let count = report.currentTiers[rank]
                cells += [
                    report.currentTierNames[rank], Formatting.grouped(count), Formatting.share(count, of: currentTotal),
                ]
            } else {
                cells += ["", "", ""]
            }
            if rank < report.candidateTierNames.count {
                let count = report.candidateTiers[rank]
                cells += [
                    report.candidateTierNames[rank], Formatting.grouped(count),
                    Formatting.share(count, of: candidateTotal),
                ]
            } else {
                cells += ["", "", ""]
            }
            table.addRow(cells)
        }
        return table.render()
    }

    /// Renders the points held, available and pending, under each program with their value.
    static func pointsTable(_ report: SimulationReport, current: LoyaltyProgram, candidate: LoyaltyProgram) -> String {
        var table = TextTable(columns: [
            .init("POINTS HELD"), .init("POINTS", alignment: .right), .init("VALUE", alignment: .right),
        ])
        table.addRow([
            "current program", Formatting.grouped(report.currentPoints), Formatting.money(report.currentValue, current.currency),
        ])
        table.addRow([
            "candidate program", Formatting.grouped(report.candidatePoints),
            Formatting.money(report.candidateValue, candidate.currency),
        ])
        let pointsChange = signed(report.candidatePoints - report.currentPoints)
        // Values in two currencies have no difference to show.
        let valueChange =
            current.currency == candidate.currency
            ? signedMoney(report.candidateValue - report.currentValue, current.currency) : "—"
        table.addRow(["change", pointsChange, valueChange])
        return table.render()
    }

    static func signed(_ value: Int64) -> String {
        (value > 0 ? "+" : "") + Formatting.grouped(value)
    }

    static func signedMoney(_ minorUnits: Int64, _ currency: Currency) -> String {
        (minorUnits > 0 ? "+" : "") + Formatting.money(minorUnits, currency)
    }

    /// The tier changes counted by rank on each ladder, so that a renamed tier is not taken for a move.
    struct RankMoves {
        var up = 0
        var down = 0
        var renamed = 0

        init(_ report: SimulationReport) {
            for change in report.changes {
                let from = report.currentTierNames.firstIndex(of: change.from) ?? 0
                let to = report.candidateTierNames.firstIndex(of: change.to) ?? 0
                if to > from {
                    up += 1
                } else if to < from {
                    down += 1
                } else {
                    renamed += 1
                }
            }
        }
    }

    // MARK: - JSON

    static func json(_ report: SimulationReport, path: String, current: LoyaltyProgram, candidate: LoyaltyProgram) -> JSONValue {
        let moves = RankMoves(report)
        func side(names: [String], counts: [Int], points: Int64, value: Int64, currency: Currency) -> JSONValue {
            .object([
                ("tiers", .array(zip(names, counts).map { name, count in
                    .object([("name", .string(name)), ("customers", JSONValue(count))])
                })),
                ("points", JSONValue(points)),
                ("value", Formatting.json(value, currency)),
            ])
        }
        return .object([
            ("as_of", Formatting.json(report.asOf)),
            ("program_file", .string(path)),
            ("current", side(
                names: report.currentTierNames, counts: report.currentTiers, points: report.currentPoints,
                value: report.currentValue, currency: current.currency)),
            ("candidate", side(
                names: report.candidateTierNames, counts: report.candidateTiers, points: report.candidatePoints,
                value: report.candidateValue, currency: candidate.currency)),
            ("points_change", JSONValue(report.candidatePoints - report.currentPoints)),
            ("tier_changes", JSONValue(report.changes.count)),
            ("moves_up", JSONValue(moves.up)),
            ("moves_down", JSONValue(moves.down)),
            ("renamed_at_same_rank", JSONValue(moves.renamed)),
            ("changes", .array(report.changes.map { change in
                .object([
                    ("customer_id", JSONValue(change.customerID.rawValue)), ("from", .string(change.from)),
                    ("to", .string(change.to)),
                ])
            })),
        ])
    }
}
