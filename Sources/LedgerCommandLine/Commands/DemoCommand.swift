import CustomerLedger
import Foundation

/// `ledger demo`: imports the bundled CDNOW purchases into a fresh ledger and shows a summary of its contents.
enum DemoCommand: Subcommand {
    static let name = "demo"
    static let syntax = ArgumentList.Syntax(
        command: "ledger demo",
        summary: "Import the bundled CDNOW data into a fresh ledger and show a summary, then the synthetic data set in a second one.",
        options: [
            .value("--db", placeholder: "PATH", help: "Build the demo ledger in this new folder (default: a temporary folder)."),
            .flag("--keep", help: "Keep the temporary ledger folders afterwards, to explore them."),
            .value("--file", placeholder: "FILE", help: "A CDNOW file to use instead of the bundled one."),
            syntheticCustomersOption,
            .value(
                "--role", placeholder: "ROLE",
                help: "Not accepted (exit 64): the demo shows what each role sees by itself. It also ignores LEDGER_ROLE."),
        ])

    static func run(_ context: CommandContext) throws {
        if let role = context.arguments.string("--role") {
            throw UsageError(
                "the demo does not take --role (got '\(role)'): it shows what each role sees by itself, in its section on personal data; "
                    + "run 'ledger demo --keep' and then query the kept ledger with --role")
        }
        let file = try context.arguments.string("--file") ?? bundledCDNOWPath()
        let temporary = context.arguments.string("--db") == nil
        let path = try context.arguments.string("--db") ?? makeTemporaryFolder()
        if !temporary, FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("'\(path)' already exists; the demo needs a new folder, so pass another --db PATH", code: .failure)
        }
        let syntheticCustomers = try context.arguments.integer("--customers", in: 0...100_000) ?? defaultSyntheticCustomers
        let syntheticPath = syntheticPath(besides: path)
        if syntheticCustomers > 0, !temporary, FileManager.default.fileExists(atPath: syntheticPath) {
            throw CommandFailure(
                "'\(syntheticPath)' already exists; the demo needs a new folder for the synthetic data set, so pass another --db PATH",
                code: .failure)
        }
        let keep = context.arguments.flag("--keep") || !temporary
        defer {
            if !keep {
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.removeItem(atPath: syntheticPath)
            }
        }

        if context.arguments.string("--file") == nil {
            Console.out("Customer Ledger demo: the CDNOW purchase history (23,570 customers, January 1997 to June 1998)\n")
        } else {
            Console.out("Customer Ledger demo: the purchases in \(file)\n")
        }
        Console.out("into a fresh ledger at \(path)\n")
        let rows = try CDNOWParser.parse(contentsOf: file)
        // The demo encrypts like any ledger: with the key file of --key-file or LEDGER_KEY_FILE,
        // else a new key beside the ledger.
        let keyFile = context.keyFilePath ?? path + ".key"
        var createdKey = false
        let key: MasterKey
        if let given = try context.masterKey() {
            key = given
        } else {
            key = MasterKey.generate()
            try key.write(toFile: keyFile)
            createdKey = true
        }
        defer { if !keep && createdKey { unlink(keyFile) } }
        Console.out(
            "encrypted with the master key \(key.fingerprint) \(createdKey ? "created in" : "from") \(keyFile)\n\n")
        var options = try context.ledgerOptions(readOnly: false, program: LoyaltyProgram(currency: CDNOWImporter.currency))
        options.masterKey = key
        options.role = .admin
        let ledger = try Ledger(path: path, options: options)

        let importStart = DispatchTime.now().uptimeNanoseconds
        let summary = try ImportCommand.importCDNOW(rows, into: ledger, actor: "demo", label: "import")
        let importSeconds = seconds(since: importStart)
        let stats = try ledger.statistics()
        let program = try ledger.program()
        let instant = stats.latestOccurredAt ?? Timestamp(microseconds: 0)
        var netTotal: Int64 = 0
        try ledger.forEachCustomer { netTotal += $0.spend(in: program.currency).net }

        section("Imported")
        let rate = Int64(Double(summary.eventsAppended) / max(importSeconds, 1e-9))
        let rowCount = Formatting.count(summary.rows, "row")
        let eventCount = Formatting.count(summary.eventsAppended, "event")
        let duration = String(format: "%.2f", importSeconds)
        Console.out("\(rowCount) became \(eventCount) in \(duration) s (\(Formatting.grouped(rate)) events/s, one durable transaction)\n")
        Console.out(
            "\(Formatting.grouped(stats.customerCount)) customers, "
                + "\(Formatting.grouped(stats.eventsByType["PurchaseRecorded"] ?? 0)) purchases, "
                + "\(Formatting.money(netTotal, program.currency)) in total\n")

        section("Tiers as of \(Formatting.instant(instant)), the end of the data")
        Console.out(TiersCommand.render(try TiersCommand.distribution(ledger, asOf: instant, program: program), program: program))

        section("Top customers by net spend")
        let top = try TopCommand.top(ledger, by: .spend, limit: 5, currency: program.currency)
        let tiers = try top.map { try ledger.tier(of: $0.customerID, asOf: instant)?.tierName ?? "" }
        Console.out(TopCommand.render(top, tiers: tiers, currency: program.currency))

        if let first = top.first {
            let history = try ledger.history(of: first.customerID, types: nil)
            let shownCount = min(8, history.count)
            section("History of customer \(first.customerID) (first \(shownCount) of \(Formatting.count(history.count, "event")))")
            Console.out(HistoryCommand.render(Array(history.prefix(8))))
        }

        section("Replay and re-import")
        let before = try ledger.projectionFingerprint()
        let replayStart = DispatchTime.now().uptimeNanoseconds
        let replay = try ledger.replay()
        let replaySeconds = seconds(since: replayStart)
        let identical = try ledger.projectionFingerprint() == before
        Console.out(
            "replay rebuilt the projections from \(Formatting.grouped(replay.events)) events in "
                + "\(String(format: "%.2f", replaySeconds)) s: \(identical ? "identical" : "DIFFERENT") to the incremental ones\n")
        let again = try CDNOWImporter.importRows(rows, into: ledger, metadata: EventMetadata(actor: "demo", source: "cdnow"))
        Console.out("importing the same file again appended \(again.eventsAppended) events\n")

        try showPrivacy(ledger, key: key, path: path, at: instant)
        if syntheticCustomers > 0 {
            try showSyntheticDataSet(customers: syntheticCustomers, path: syntheticPath, key: key, context: context)
        }

        section("Next")
        if keep {
            let database = "--db \(CommandContext.shellQuoted(path))"
            let keyOption = "--key-file \(CommandContext.shellQuoted(keyFile))"
            Console.out("ledger customer \(top.first?.customerID.description ?? "1") \(database) \(keyOption)\n")
            Console.out("ledger history \(PrivacyDemo.customer) \(database) \(keyOption)\n")
            // Without a key file the ledger opens read-only, with personal data withheld.
            Console.out("ledger top --by purchases -n 10 \(database)\n")
            if syntheticCustomers > 0 {
                let synthetic = "--db \(CommandContext.shellQuoted(syntheticPath))"
                Console.out("ledger regions \(synthetic)\n")
                Console.out("ledger report --html report.html \(synthetic)\n")
            }
        } else {
            Console.out("The demo ledgers were removed. Keep them with 'ledger demo --keep', or build your own:\n")
            Console.out(
                "ledger keygen shop.key && ledger import cdnow \(CommandContext.shellQuoted(file)) --db shop.db --key-file shop.key"
                    + " && ledger stats --db shop.db\n")
            Console.out("ledger generate --customers 3000 --db synthetic.db --key-file shop.key && ledger regions --db synthetic.db\n")
        }
        guard identical else {
            throw CommandFailure("replay produced different projections; please report this", code: .internal)
        }
    }

    /// Registers one customer with personal data, shows each role's view of it, erases the customer
    /// and shows that the purchase survives while the personal data is gone.
    private static func showPrivacy(_ ledger: Ledger, key: MasterKey, path: String, at instant: Timestamp) throws {
        section("Personal data: encrypted, masked by role, erased on request")
        let customer = PrivacyDemo.customer
        let registeredAt = Timestamp(microseconds: instant.microseconds + 1_000_000)
        try ledger.append([
            NewEvent(
                customerID: customer, occurredAt: registeredAt,
                payload: .customerRegistered(CustomerRegistered(profile: PrivacyDemo.profile)),
                metadata: EventMetadata(source: "demo")),
            NewEvent(
                customerID: customer, occurredAt: Timestamp(microseconds: registeredAt.microseconds + 1_000_000),
                payload: .purchaseRecorded(
                    PurchaseRecorded(orderID: "DEMO-1", amount: Money(minorUnits: 12_800, currency: CDNOWImporter.currency))),
                metadata: EventMetadata(source: "demo")),
        ])
        for role in AccessRole.allCases {
            let profile = try ledger.withRole(role).customer(customer)!.profile
            let visible = role == .analyst ? "nothing personal" : "\(profile.name), \(profile.phone), \(profile.email)"
            Console.out("\(role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) sees \(visible)\n")
        }
        let phoneInFile = try PrivacyDemo.fileContains(path + "/data.mdb", PrivacyDemo.profile.phone)
        Console.out("the phone number appears in data.mdb in clear: \(phoneInFile ? "YES" : "no")\n")
        try ledger.erase(
            customer, reason: "demo erasure request", at: Timestamp(microseconds: registeredAt.microseconds + 2_000_000))
        let erased = try ledger.customer(customer)!
        Console.out(
            "after 'ledger erase \(customer)': personal data \(erased.personalData), net spend still "
                + "\(Formatting.money(erased.spend(in: CDNOWImporter.currency).net, CDNOWImporter.currency))\n")
    }

    static func section(_ title: String) {
        Console.out("\n== \(title)\n")
    }

    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private static func makeTemporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-demo-\(UUID().uuidString.prefix(8).lowercased())").path
        return path
    }

    /// Finds the CDNOW file bundled with the executable, or in the source tree it was built from.
    static func bundledCDNOWPath() throws -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            executable.deletingLastPathComponent()
                .appendingPathComponent("CustomerLedger_LedgerCommandLine.resources/cdnow/CDNOW_master.txt").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Resources/cdnow/CDNOW_master.txt").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            throw CommandFailure(
                "the bundled CDNOW file was not found next to the executable; pass it with --file FILE", code: .notFound)
        }
        return found
    }
}

/// The customer the demo registers with personal data and then erases.
enum PrivacyDemo {
    static let customer = CustomerID(900_001)!
    static let profile = CustomerProfile(
        name: "张伟", phone: "+86 138 1234 5678", email: "zhang.wei@example.com", birthday: CivilDate(year: 1990, month: 5, day: 17),
        province: "浙江省", city: "杭州市", address: "西湖区文三路 100 号")

    /// Returns true when the file's bytes contain `text` as UTF-8.
    static func fileContains(_ path: String, _ text: String) throws -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read '\(path)'", code: .ioError)
        }
        return data.range(of: Data(text.utf8)) != nil
    }
}
