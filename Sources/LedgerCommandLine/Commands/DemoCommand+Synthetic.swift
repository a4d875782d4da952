import CustomerLedger
import Foundation

/// The second part of `ledger demo`: the synthetic data set of Chinese customers in a second
/// ledger, with its regional, feedback and care views.
extension DemoCommand {
    /// The customers of the synthetic part when `--customers` is not given. Generating and
    /// appending them took 1.2 s in a release build on a 2-core Linux VM (`/usr/bin/time ledger generate`).
    static let defaultSyntheticCustomers = 3_000

    static let syntheticCustomersOption = ArgumentList.Option.value(
        "--customers", placeholder: "N",
        help: "Customers of the synthetic data set in the second part, 0 to 100000; 0 skips it (default \(defaultSyntheticCustomers)).")

    /// Returns the folder of the second ledger, beside the first one.
    static func syntheticPath(besides path: String) -> String {
        path + "-synthetic"
    }

    /// Generates the synthetic data set into a new ledger at `path`, encrypted with `key`, and
    /// shows its tiers, regions, feedback, care lists and the history of one customer.
    @available(*, noasync)
    static func showSyntheticDataSet(customers: Int, path: String, key: MasterKey, context: CommandContext) throws {
        let configuration = SyntheticDataSet.Configuration(customerCount: customers)
        section(
            "Synthetic data set: \(Formatting.grouped(customers)) Chinese customers of a tea brand, "
                + "\(configuration.start) to \(configuration.endDate) (exclusive)")
        Console.out("into a second fresh ledger at \(path), encrypted with the same master key\n")
        var options = try context.ledgerOptions(readOnly: false, program: SyntheticDataSet.program)
        options.masterKey = key
        options.role = .admin
        let ledger = try Ledger(path: path, options: options)

        let generateStart = DispatchTime.now().uptimeNanoseconds
        let dataSet = try SyntheticDataSet.generate(configuration)
        let generateSeconds = seconds(since: generateStart)
        let appendStart = DispatchTime.now().uptimeNanoseconds
        _ = try GenerateCommand.append(dataSet.events, to: ledger)
        let appendSeconds = seconds(since: appendStart)
        let statistics = try ledger.statistics()
        let instant = statistics.latestOccurredAt ?? configuration.startInstant
        let program = try ledger.program()
        Console.out(
            "generated \(Formatting.count(dataSet.events.count, "event")) from seed \(configuration.seed) in "
                + "\(String(format: "%.2f", generateSeconds)) s (digest \(dataSet.digest.prefix(16))), "
                + "appended them in \(String(format: "%.2f", appendSeconds)) s; "
                + "with the referral rewards the ledger derived, it has \(Formatting.count(statistics.eventCount, "event"))\n")
        let counts = dataSet.countsByType
        Console.out(
            ["PurchaseRecorded", "RefundRecorded", "FeedbackRecorded", "PointsRedeemed", "ProfileUpdated"]
                .map { "\(Formatting.grouped(counts[$0, default: 0])) \($0)" }.joined(separator: ", ") + "\n")

        section("Tiers as of \(Formatting.instant(instant)), the end of the synthetic data")
        Console.out(TiersCommand.render(try TiersCommand.distribution(ledger, asOf: instant, program: program), program: program))

        try showRegions(ledger, asOf: instant, currency: program.currency)
        try showFeedback(ledger)
        try showCare(ledger, asOf: instant, currency: program.currency)
        try showSyntheticHistory(ledger, dataSet: dataSet)
    }

    @available(*, noasync)
    private static func showRegions(_ ledger: Ledger, asOf instant: Timestamp, currency: Currency) throws {
        let report = try ledger.regions(by: .province, asOf: instant)
        section("Regions: the 8 of \(report.regions.count) provinces with the highest net spend")
        var table = TextTable(columns: [
            .init("PROVINCE"), .init("CUSTOMERS", alignment: .right), .init("BUYERS", alignment: .right),
            .init("NET SPEND", alignment: .right), .init("PER CUSTOMER", alignment: .right),
        ])
        for region in report.regions.prefix(8) {
            table.addRow([
                region.province, Formatting.grouped(region.customers), Formatting.grouped(region.purchasingCustomers),
                Formatting.money(region.netSpend, currency), Formatting.money(region.averageNetSpend, currency),
            ])
        }
        Console.out(table.render())
    }

    @available(*, noasync)
    private static func showFeedback(_ ledger: Ledger) throws {
        let report = try ledger.feedbackSummary(from: nil, to: nil)
        section("Feedback: the highest complaint rates by province")
        let channels = report.byChannel.map { "\(Formatting.grouped($0.count)) \($0.channel)" }.joined(separator: ", ")
        Console.out(
            "\(Formatting.grouped(report.total)) feedback (\(channels)), "
                + "\(Formatting.grouped(report.complaints)) complaints (\(Formatting.percent(report.complaintRate)))\n")
        // Small provinces are left out, because a handful of feedback gives a rate by chance.
        let ranked = report.byProvince.filter { $0.feedback >= 20 }.sorted { $0.rate > $1.rate }
        var table = TextTable(columns: [
            .init("PROVINCE"), .init("FEEDBACK", alignment: .right), .init("COMPLAINTS", alignment: .right),
            .init("RATE", alignment: .right),
        ])
        for rate in ranked.prefix(6) {
            table.addRow([rate.key, Formatting.grouped(rate.feedback), Formatting.grouped(rate.complaints), Formatting.percent(rate.rate)])
        }
        Console.out(table.render())
        let months = report.byMonth.sorted { $0.complaints > $1.complaints }.prefix(3)
        Console.out(
            "months with the most complaints: "
                + months.map { "\($0.key) (\(Formatting.grouped($0.complaints)))" }.joined(separator: ", ") + "\n")
    }

    @available(*, noasync)
    private static func showCare(_ ledger: Ledger, asOf instant: Timestamp, currency: Currency) throws {
        section("Care: whom to contact as of \(Formatting.instant(instant))")
        let birthdays = try ledger.upcomingBirthdays(asOf: instant, days: 14)
        Console.out("\(Formatting.count(birthdays.count, "birthday")) in the next 14 days; the first 5:\n")
        var birthdayTable = TextTable(columns: [
            .init("CUSTOMER", alignment: .right), .init("NAME"), .init("CITY"), .init("BIRTHDAY"), .init("IN DAYS", alignment: .right),
        ])
        for upcoming in birthdays.prefix(5) {
            birthdayTable.addRow([
                upcoming.customer.customerID.description, Formatting.nameCell(upcoming.customer), upcoming.customer.profile.city,
                upcoming.birthday.description, String(upcoming.daysUntil),
            ])
        }
        Console.out(birthdayTable.render())

        let dormant = try ledger.dormantCustomers(asOf: instant, days: 180, limit: 5)
        Console.out("\n\(Formatting.count(dormant.total, "customer")) bought nothing in the last 180 days; the 5 who spent most:\n")
        let states = try Formatting.states(of: dormant.customers.map(\.customerID), in: ledger)
        var dormantTable = TextTable(columns: [
            .init("CUSTOMER", alignment: .right), .init("NAME"), .init("LAST PURCHASE"), .init("NET SPEND", alignment: .right),
        ])
        for customer in dormant.customers {
            dormantTable.addRow([
                customer.customerID.description, states[customer.customerID].map(Formatting.nameCell) ?? "—",
                Formatting.instant(customer.lastPurchaseAt), Formatting.money(customer.netSpend, currency),
            ])
        }
        Console.out(dormantTable.render())

        let near = try ledger.customersNearNextTier(asOf: instant, limit: 5)
        Console.out("\nthe 5 customers closest to their next tier:\n")
        var nearTable = TextTable(columns: [
            .init("CUSTOMER", alignment: .right), .init("TIER"), .init("NEXT"), .init("NEEDS"),
        ])
        for customer in near {
            nearTable.addRow([
                customer.customerID.description, customer.tier.tierName, customer.gap.tierName,
                CareNearTierCommand.needs(customer.gap, currency: currency),
            ])
        }
        Console.out(nearTable.render())
    }

    /// Shows the profile and first 10 events of the first customer whose first 10 events include
    /// a move to another province and feedback, so that the history shows a profile change and
    /// Chinese text.
    @available(*, noasync)
    private static func showSyntheticHistory(_ ledger: Ledger, dataSet: SyntheticDataSet) throws {
        var eventCounts: [CustomerID: Int] = [:]
        var moved = Set<CustomerID>()
        var gaveFeedback = Set<CustomerID>()
        for event in dataSet.events {
            eventCounts[event.customerID, default: 0] += 1
            guard eventCounts[event.customerID]! <= 10 else { continue }
            switch event.payload {
            case .profileUpdated(let updated) where updated.changes.province != nil: moved.insert(event.customerID)
            case .feedbackRecorded: gaveFeedback.insert(event.customerID)
            default: break
            }
        }
        guard let customer = moved.intersection(gaveFeedback).min() ?? moved.min(),
            let state = try ledger.customer(customer)
        else { return }
        let profile = state.profile
        let history = try ledger.history(of: customer, types: nil)
        section("History of synthetic customer \(customer) (first \(min(10, history.count)) of \(Formatting.count(history.count, "event")))")
        Console.out(
            "\(profile.name), \(profile.phone), \(profile.email.isEmpty ? "no email" : profile.email), born "
                + "\(profile.birthday?.description ?? "—"), now in \(profile.province)\(profile.city == profile.province ? "" : profile.city)\n")
        Console.out(HistoryCommand.render(Array(history.prefix(10))))
    }
}
