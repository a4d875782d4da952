import CustomerLedger
import Foundation

/// `ledger generate`: appends the deterministic synthetic data set to a ledger, creating it.
enum GenerateCommand: Subcommand {
    static let name = "generate"
    static let syntax = ArgumentList.Syntax(
        command: "ledger generate",
        summary: "Append a deterministic synthetic data set of Chinese customers, creating the ledger.",
        options: [
            CommandContext.databaseOption,
            .value("--customers", placeholder: "N", help: "Number of customers, 1 to 1000000 (required)."),
            .value("--seed", placeholder: "S", help: "Seed of the generator, 0 to 18446744073709551615 (default 1)."),
            .value(
                "--start", placeholder: "DATE",
                help: "First day of the period, YYYY-MM-DD in China Standard Time (default 2023-01-01)."),
            .value("--months", placeholder: "M", help: "Length of the period in months, 1 to 120 (default 24)."),
            CommandContext.jsonOption,
        ])

    static func run(_ context: CommandContext) throws {
        let configuration = try configuration(context.arguments)
        let path = context.databasePath
        let isNew = !FileManager.default.fileExists(atPath: path + "/data.mdb")
        let started = DispatchTime.now().uptimeNanoseconds
        let dataSet: SyntheticDataSet
        // The events, for the error of a rejected append.
        var generatedEvents: [NewEvent] = []
        let outcomes: [Ledger.AppendOutcome]
        let ledger: Ledger
        do {
            ledger = try context.openLedger(at: path, readOnly: false, program: SyntheticDataSet.program)
            // The redemptions are checked against the program of the ledger they go to.
            // NOTE: a program version that takes effect inside the period is not taken into account.
            let program = try ledger.program(asOf: configuration.startInstant)
            dataSet = try SyntheticDataSet.generate(configuration, program: program)
            generatedEvents = dataSet.events
            outcomes = try append(dataSet.events, to: ledger)
        } catch {
            // A ledger this command created contains nothing after a rejected append, which
            // writes nothing, so the folder is removed too.
            if isNew { try? FileManager.default.removeItem(atPath: path) }
            if let invalid = error as? SyntheticDataError { throw CommandFailure("\(invalid)", code: .dataError) }
            if let clash = dataSetClash(error, events: generatedEvents, configuration: configuration) { throw clash }
            throw error
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let program = try ledger.program()
        if program.currency != .cny {
            Console.error(
                "note: this ledger's loyalty program is in \(program.currency), so the generated CNY purchases earn no points and do not count toward tiers\n")
        }
        let appended = outcomes.filter(\.wasAppended).count
        let statistics = try ledger.statistics()
        let counts = dataSet.countsByType.sorted { $0.key < $1.key }

        if context.wantsJSON {
            context.printJSON(.object([
                ("seed", .string(String(configuration.seed))), ("customers", JSONValue(configuration.customerCount)),
                ("start", .string(configuration.start.description)),
                ("end", .string(configuration.endDate.description)), ("months", JSONValue(configuration.months)),
                ("events", JSONValue(dataSet.events.count)), ("appended", JSONValue(appended)),
                ("already_present", JSONValue(dataSet.events.count - appended)), ("digest", .string(dataSet.digest)),
                ("events_by_type", .object(counts.map { ($0.key, JSONValue($0.value)) })),
                ("ledger_events", JSONValue(statistics.eventCount)),
            ]))
            return
        }
        Console.out(
            "generated \(Formatting.count(configuration.customerCount, "customer")) from seed \(configuration.seed), "
                + "\(configuration.start) to \(configuration.endDate) (exclusive): "
                + "\(Formatting.count(dataSet.events.count, "event")), digest \(dataSet.digest)\n")
        Console.out(
            "appended \(Formatting.grouped(appended)), \(Formatting.grouped(dataSet.events.count - appended)) already present; "
                + "generated and appended in \(String(format: "%.2f", seconds)) s; "
                + "the ledger now has \(Formatting.count(statistics.eventCount, "event")), referral rewards included\n\n")
        var table = TextTable(columns: [.init("EVENT TYPE"), .init("GENERATED", alignment: .right)])
        for (type, count) in counts { table.addRow([type, Formatting.grouped(count)]) }
        Console.out(table.render())
    }

    /// Parses the options into a configuration, before any ledger is opened.
    static func configuration(_ arguments: ArgumentList) throws -> SyntheticDataSet.Configuration {
        guard
            let customers = try arguments.integer(
                "--customers", in: 1...SyntheticDataSet.Configuration.maximumCustomerCount)
        else {
            throw UsageError("missing option '--customers N'; pass the number of customers to generate, such as --customers 2000")
        }
        var configuration = SyntheticDataSet.Configuration(customerCount: customers)
        if let text = arguments.string("--seed") {
            guard let seed = UInt64(text) else {
                throw UsageError("invalid seed '\(text)' for --seed; expected a whole number from 0 to 18446744073709551615")
            }
            configuration.seed = seed
        }
        if let text = arguments.string("--start") {
            guard let start = CivilDate(parsing: text), (1970...9000).contains(start.year) else {
                throw UsageError("invalid date '\(text)' for --start; expected YYYY-MM-DD from 1970 to 9000, such as 2023-01-01")
            }
            configuration.start = start
        }
        if let months = try arguments.integer("--months", in: 1...SyntheticDataSet.Configuration.maximumMonths) {
            configuration.months = months
        }
        return configuration
    }

    /// Returns the failure to report when the ledger rejects the data set because it contains other
    /// events: customers with the generated ids, from another data set or an import, or a data
    /// set generated with other options. Returns nil for any other error.
    static func dataSetClash(
        _ error: any Error, events: [NewEvent], configuration: SyntheticDataSet.Configuration
    ) -> CommandFailure? {
        let fix = "Generate into a new ledger with --db PATH, or repeat an earlier generate's --customers, --seed, --start and --months to append nothing"
        switch error as? LedgerError {
        case .ruleViolation(let index, _, let reason)?:
            // Only a customer id that the ledger already has rejects a generated registration.
            guard events.indices.contains(index), case .customerRegistered = events[index].payload else { return nil }
            return CommandFailure(
                "\(reason), and the generated customers are numbered 1 to \(configuration.customerCount); nothing was written. \(fix)",
                code: .dataError)
        case .eventIDReused(let id, let position)?:
            guard events.contains(where: { $0.id == id }) else { return nil }
            return CommandFailure(
                "the ledger has a data set generated with other options: its event at position \(position) has the id of a generated event with other content; nothing was written. \(fix)",
                code: .dataError)
        default:
            return nil
        }
    }

    /// Appends `events` in one durable transaction, with a progress bar on a terminal.
    @available(*, noasync)
    static func append(_ events: [NewEvent], to ledger: Ledger) throws -> [Ledger.AppendOutcome] {
        var bar: ProgressBar?
        defer { bar?.finish() }
        return try ledger.append(events) { done, total in
            if bar == nil { bar = ProgressBar(total: total, label: "generate") }
            bar?.update(completed: done)
        }
    }
}
