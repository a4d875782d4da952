import CustomerLedger
import Foundation

/// Appends millions of events in rounds to a ledger that starts with a 1 MiB map, and samples
/// this process's anonymous resident memory after each round. The run shows that the map grows
/// without user action and whether memory grows with the log.
///
/// Anonymous memory (`RssAnon`) leaves out the pages of the memory-mapped database file, which
/// the kernel counts as file-backed and may drop at any time. Each sample is taken after
/// `malloc_trim`, so it counts live allocations rather than freed heap that glibc kept. Every
/// fifth round also replays the whole log, the phase that holds the most in memory, and three
/// more replays of the final log end the run.
struct SoakBenchmark {
    static let eventsPerRound = 200_000
    static let customers: UInt64 = 100_000

    let options: BenchmarkOptions

    func run() throws {
        try options.checkDatabaseFolderIsFresh()
        let path = options.databasePath
        let ledger = try Ledger(
            path: path,
            options: Ledger.Options(program: LoyaltyProgram(currency: .cny), initialMapSize: 1 << 20, masterKey: MasterKey.generate()))
        ProcessMetrics.releaseFreedMemory()
        report("soak_rss_anon_mb_start", ProcessMetrics.statusMiB("RssAnon"), digits: 1)

        var appended = 0
        var round = 0
        let day = Timestamp(parsing: "2024-01-01T00:00:00Z")!.microseconds
        while appended < options.soakEvents {
            round += 1
            let start = ProcessMetrics.monotonicSeconds()
            var batch: [NewEvent] = []
            batch.reserveCapacity(1_000)
            for index in 0..<Self.eventsPerRound {
                let number = UInt64(appended + index)
                let id = CustomerID(number % Self.customers + 1)!
                let occurredAt = Timestamp(microseconds: day + Int64(number) * 1_000_000)
                if number < Self.customers {
                    let profile = CustomerProfile(name: "顾客\(number + 1)", phone: "+86 138 \(10_000_000 + number)", province: "浙江省", city: "杭州市")
                    batch.append(NewEvent(customerID: id, occurredAt: occurredAt, payload: .customerRegistered(CustomerRegistered(profile: profile))))
                } else {
                    batch.append(NewEvent(customerID: id, occurredAt: occurredAt, payload: .purchaseRecorded(PurchaseRecorded(
                        orderID: "S\(number)", amount: Money(minorUnits: 1_000 + Int64(number % 9_000), currency: .cny),
                        lineItems: [LineItem(sku: "SKU-\(number % 300)", quantity: 1, unitPrice: 1_000 + Int64(number % 9_000))]))))
                }
                if batch.count == 1_000 {
                    try ledger.append(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try ledger.append(batch) }
            appended += Self.eventsPerRound
            let appendSeconds = ProcessMetrics.monotonicSeconds() - start

            var replaySeconds = 0.0
            if round % 5 == 0 {
                let replayStart = ProcessMetrics.monotonicSeconds()
                _ = try ledger.replay()
                replaySeconds = ProcessMetrics.monotonicSeconds() - replayStart
            }
            ProcessMetrics.releaseFreedMemory()
            let statistics = try ledger.statistics()
            print(
                "soak_round \(round) events \(statistics.eventCount) append_s \(String(format: "%.1f", appendSeconds))"
                    + " replay_s \(String(format: "%.1f", replaySeconds))"
                    + " rss_anon_mb \(String(format: "%.1f", ProcessMetrics.statusMiB("RssAnon")))"
                    + " map_mb \(statistics.mapSizeBytes >> 20) file_mb \(statistics.fileSizeBytes >> 20)")
            fflush(nil)
        }
        // Replays of an unchanged log tell memory kept per replay (a leak) from memory that
        // grows with the log.
        for replay in 1...3 {
            _ = try ledger.replay()
            ProcessMetrics.releaseFreedMemory()
            report("soak_rss_anon_mb_after_extra_replay_\(replay)", ProcessMetrics.statusMiB("RssAnon"), digits: 1)
        }
        report("soak_peak_rss_mb", ProcessMetrics.statusMiB("VmHWM"), digits: 1)
    }
}
