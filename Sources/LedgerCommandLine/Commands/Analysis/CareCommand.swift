import CustomerLedger
import Foundation

/// `ledger care ACTION`: lists of customers to contact: birthdays, dormant customers, customers
/// near their next tier and points about to expire.
enum CareCommand: Subcommand {
    static let name = "care"
    static let syntax = ArgumentList.Syntax(
        command: "ledger care",
        summary: "List customers to contact: 'ledger care birthdays|dormant|near-tier|expiring'.",
        options: [CommandContext.databaseOption],
        positionals: [.required("ACTION", help: "The list: birthdays, dormant, near-tier or expiring.")])
    static var actions: [any Subcommand.Type] {
        [CareBirthdaysCommand.self, CareDormantCommand.self, CareNearTierCommand.self, CareExpiringCommand.self]
    }

    static func run(_ context: CommandContext) throws {
        // A known action is dispatched before this runs, so ACTION names an unknown one here.
        let action = try context.arguments.requiredString("ACTION")
        throw UsageError("unknown care list '\(action)'; expected birthdays, dormant, near-tier or expiring, as in 'ledger care dormant --days 90'")
    }

    static let limitOption = ArgumentList.Option.value(
        "-n", "--limit", placeholder: "N", help: "Number of customers to list, 1 to 10000 (default 20).")

    /// Returns the number of customers that ``limitOption`` requests.
    static func limit(_ context: CommandContext) throws -> Int {
        try context.arguments.integer("-n", in: 1...10_000) ?? 20
    }

    /// Returns the JSON members that name a listed customer: id, name and whether the personal
    /// data was readable, from `states`, which lacks a customer the ledger no longer has.
    static func identityMembers(_ id: CustomerID, states: [CustomerID: CustomerState]) -> [(String, JSONValue)] {
        [
            ("customer_id", JSONValue(id.rawValue)),
            ("name", .string(states[id]?.profile.name ?? "")),
            ("personal_data", .string(states[id]?.personalData.description ?? "none")),
        ]
    }

    /// Prints `heading` and, when `table` has rows, a blank line and the table, so that an empty
    /// list shows no bare column headings.
    static func printList(_ heading: String, _ table: TextTable) {
        Console.out(heading + "\n")
        if !table.rows.isEmpty { Console.out("\n" + table.render()) }
    }
}

/// `ledger care birthdays --days N`: customers whose birthday falls in the next N days.
enum CareBirthdaysCommand: Subcommand {
    static let name = "birthdays"
    static let syntax = ArgumentList.Syntax(
        command: "ledger care birthdays",
        summary: "List the customers whose birthday falls in the N days from --as-of on; needs the master key and the admin or support role.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption,
            .value(
                "--as-of", placeholder: "TIME",
                help: "The list's first day is the local day of this instant (default: the latest event's occurred-at)."),
            .value("--days", placeholder: "N", help: "Required. Number of local days, the first day included, 1 to 36500."),
        ])

    static func run(_ context: CommandContext) throws {
        let days = try context.requiredDays(example: "ledger care birthdays --days 7")
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let list = try ledger.upcomingBirthdays(asOf: instant, days: days)
        // The list starts on the local day of the instant in the program's time zone.
        let firstDay = try ZonedCalendar(timeZone: try ledger.program(asOf: instant).timeZone).localDate(of: instant)

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)), ("days", JSONValue(days)), ("first_day", .string(firstDay.description)),
                ("customers", .array(list.map { entry in
                    .object([
                        ("customer_id", JSONValue(entry.customer.customerID.rawValue)), ("name", .string(entry.customer.profile.name)),
                        ("personal_data", .string(entry.customer.personalData.description)),
                        ("birthday", .string(entry.birthday.description)), ("date", .string(entry.occurrence.description)),
                        ("days_until", JSONValue(entry.daysUntil)), ("age", JSONValue(entry.age)),
                    ])
                })),
            ]))
            return
        }
        let heading =
            "\(Formatting.count(list.count, "birthday")) in the \(Formatting.count(days, "day")) "
                + "from \(firstDay) on"
        var table = TextTable(columns: [
            .init("DATE"), .init("IN DAYS", alignment: .right), .init("CUSTOMER", alignment: .right),
            .init("NAME", maximumWidth: 24), .init("BIRTHDAY"), .init("AGE", alignment: .right),
        ])
        for entry in list {
            table.addRow([
                entry.occurrence.description, String(entry.daysUntil), "\(entry.customer.customerID)",
                Formatting.nameCell(entry.customer), entry.birthday.description, String(entry.age),
            ])
        }
        CareCommand.printList(heading, table)
    }
}

/// `ledger care dormant --days N`: customers without a purchase in N days, most valuable first.
enum CareDormantCommand: Subcommand {
    static let name = "dormant"
    static let syntax = ArgumentList.Syntax(
        command: "ledger care dormant",
        summary: "List the customers without a purchase in the last N days, by past net spend, for win-back.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.analysisAsOfOption,
            .value("--days", placeholder: "N", help: "Required. Days without a purchase before --as-of, 1 to 36500."),
            CareCommand.limitOption,
        ])

    static func run(_ context: CommandContext) throws {
        let days = try context.requiredDays(example: "ledger care dormant --days 90")
        let limit = try CareCommand.limit(context)
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let list = try ledger.dormantCustomers(asOf: instant, days: days, limit: limit)
        let states = try Formatting.states(of: list.customers.map(\.customerID), in: ledger)
        let currency = list.currency

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)), ("days", JSONValue(days)), ("cutoff", Formatting.json(list.cutoff)),
                ("currency", .string(currency.code)), ("total", JSONValue(list.total)),
                ("customers", .array(list.customers.map { customer in
                    .object(CareCommand.identityMembers(customer.customerID, states: states) + [
                        ("last_purchase_at", Formatting.json(customer.lastPurchaseAt)),
                        ("days_since_last_purchase", JSONValue(customer.daysSinceLastPurchase)),
                        ("purchases", JSONValue(customer.purchases)), ("net_spend", Formatting.json(customer.netSpend, currency)),
                    ])
                })),
            ]))
            return
        }
        let heading =
            "\(Formatting.count(list.total, "customer")) without a purchase since \(Formatting.instant(list.cutoff)) "
                + "(\(Formatting.count(days, "day")) before \(Formatting.instant(instant)))"
                + (list.customers.isEmpty ? "" : "; the first \(Formatting.grouped(list.customers.count)) by net spend")
        var table = TextTable(columns: [
            .init("#", alignment: .right), .init("CUSTOMER", alignment: .right), .init("NAME", maximumWidth: 24),
            .init("LAST PURCHASE"), .init("DAYS", alignment: .right), .init("PURCHASES", alignment: .right),
            .init("NET SPEND", alignment: .right),
        ])
        for (index, customer) in list.customers.enumerated() {
            table.addRow([
                String(index + 1), "\(customer.customerID)", states[customer.customerID].map(Formatting.nameCell) ?? "—",
                Formatting.instant(customer.lastPurchaseAt), Formatting.grouped(customer.daysSinceLastPurchase),
                Formatting.grouped(customer.purchases), Formatting.money(customer.netSpend, currency),
            ])
        }
        CareCommand.printList(heading, table)
    }
}

/// `ledger care near-tier`: customers closest to their next tier.
enum CareNearTierCommand: Subcommand {
    static let name = "near-tier"
    static let syntax = ArgumentList.Syntax(
        command: "ledger care near-tier",
        summary: "List the customers closest to their next tier, with what they still need for it.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.asOfOption, CareCommand.limitOption,
        ])

    static func run(_ context: CommandContext) throws {
        let limit = try CareCommand.limit(context)
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let currency = try ledger.program(asOf: instant).currency
        let list = try ledger.customersNearNextTier(asOf: instant, limit: limit)
        let states = try Formatting.states(of: list.map(\.customerID), in: ledger)

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)), ("currency", .string(currency.code)),
                ("customers", .array(list.map { customer in
                    .object(CareCommand.identityMembers(customer.customerID, states: states) + [
                        ("tier", .string(customer.tier.tierName)), ("next_tier", .string(customer.gap.tierName)),
                        ("remaining_per_mille", JSONValue(customer.remainingPerMille)),
                        ("net_spend_needed", Formatting.json(customer.gap.netSpendNeeded, currency)),
                        ("purchases_needed", JSONValue(customer.gap.purchasesNeeded)),
                        ("tenure_days_needed", JSONValue(customer.gap.tenureDaysNeeded)),
                        ("points_needed", JSONValue(customer.gap.pointsNeeded)),
                    ])
                })),
            ]))
            return
        }
        let heading = list.isEmpty
            ? "no customer has a next tier to reach as of \(Formatting.instant(instant))"
            : "customers closest to their next tier as of \(Formatting.instant(instant)), by the largest share of one requirement still missing"
        var table = TextTable(columns: [
            .init("#", alignment: .right), .init("CUSTOMER", alignment: .right), .init("NAME", maximumWidth: 24),
            .init("TIER"), .init("NEXT"), .init("MISSING", alignment: .right), .init("NEEDS"),
        ])
        for (index, customer) in list.enumerated() {
            table.addRow([
                String(index + 1), "\(customer.customerID)", states[customer.customerID].map(Formatting.nameCell) ?? "—",
                customer.tier.tierName, customer.gap.tierName, Formatting.percent(Double(customer.remainingPerMille) / 1000),
                needs(customer.gap, currency: currency),
            ])
        }
        CareCommand.printList(heading, table)
    }

    /// Returns what a customer still needs, such as `12.00 USD more spend, 1 more purchase`.
    static func needs(_ gap: NextTierGap, currency: Currency) -> String {
        var parts: [String] = []
        if gap.netSpendNeeded > 0 { parts.append("\(Formatting.money(gap.netSpendNeeded, currency)) more spend") }
        if gap.purchasesNeeded > 0 { parts.append(Formatting.count(gap.purchasesNeeded, "more purchase")) }
        if gap.tenureDaysNeeded > 0 { parts.append("\(Formatting.count(gap.tenureDaysNeeded, "more day")) of tenure") }
        if gap.pointsNeeded > 0 { parts.append("\(Formatting.grouped(gap.pointsNeeded)) more points earned") }
        return parts.isEmpty ? "nothing more" : parts.joined(separator: ", ")
    }
}

/// `ledger care expiring --days N`: customers whose points expire in the next N days.
enum CareExpiringCommand: Subcommand {
    static let name = "expiring"
    static let syntax = ArgumentList.Syntax(
        command: "ledger care expiring",
        summary: "List the customers with points that expire in the N days after --as-of, most points first.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.asOfOption,
            .value("--days", placeholder: "N", help: "Required. Days after --as-of, 1 to 36500."),
            CareCommand.limitOption,
        ])

    static func run(_ context: CommandContext) throws {
        let days = try context.requiredDays(example: "ledger care expiring --days 30")
        let limit = try CareCommand.limit(context)
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let list = try ledger.expiringPoints(asOf: instant, days: days)
        let listed = Array(list.customers.prefix(limit))
        let states = try Formatting.states(of: listed.map(\.customerID), in: ledger)

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)), ("days", JSONValue(days)), ("until", Formatting.json(list.until)),
                ("total_points", JSONValue(list.totalPoints)), ("total_customers", JSONValue(list.customers.count)),
                ("customers", .array(listed.map { customer in
                    .object(CareCommand.identityMembers(customer.customerID, states: states) + [
                        ("points", JSONValue(customer.points)), ("first_expiry", Formatting.json(customer.firstExpiry)),
                        ("available", JSONValue(customer.available)),
                    ])
                })),
            ]))
            return
        }
        let listHeading =
            "\(Formatting.points(list.totalPoints)) of \(Formatting.count(list.customers.count, "customer")) expire after "
                + "\(Formatting.instant(instant)), up to \(Formatting.instant(list.until))"
                + (listed.isEmpty ? "" : "; the first \(Formatting.grouped(listed.count)) by points")
        // A program whose points never expire gives an empty list, so the heading names the reason.
        let neverExpire = try listed.isEmpty && ledger.program(asOf: instant).expiry == .never
        let heading = listHeading + (neverExpire ? "; points never expire under the program in force then" : "")
        var table = TextTable(columns: [
            .init("#", alignment: .right), .init("CUSTOMER", alignment: .right), .init("NAME", maximumWidth: 24),
            .init("EXPIRING", alignment: .right), .init("FIRST EXPIRY"), .init("AVAILABLE", alignment: .right),
        ])
        for (index, customer) in listed.enumerated() {
            table.addRow([
                String(index + 1), "\(customer.customerID)", states[customer.customerID].map(Formatting.nameCell) ?? "—",
                Formatting.grouped(customer.points), Formatting.instant(customer.firstExpiry), Formatting.grouped(customer.available),
            ])
        }
        CareCommand.printList(heading, table)
    }
}
