import CustomerLedger
import Foundation

/// Runs every phase of the benchmark on one workload and prints `metric value` lines.
///
/// Phases, in order: ingest in batches of 1,000 events, replay, the projection digest, history
/// lookups, state lookups, then single-event commits. The digest is taken before the single
/// commits change any state. Only the work inside each phase is timed, never the loading and
/// mapping of the workload file.
struct Benchmark {
    static let batchSize = 1000

    /// The W1M loyalty program: 1 point per whole yuan of lifetime net spend, and tiers by net spend
    /// in minor units over the trailing 365 days.
    static let program = LoyaltyProgram(
        currency: .cny, pointsPerUnit: 1, earningScope: .cumulative, tierWindowDays: 365,
        tiers: [
            TierRule(name: "Bronze"),
            TierRule(name: "Silver", minimumNetSpend: 100_000),
            TierRule(name: "Gold", minimumNetSpend: 500_000),
            TierRule(name: "Platinum", minimumNetSpend: 2_000_000),
        ])

    let options: BenchmarkOptions

    func run() throws {
        try options.checkDatabaseFolderIsFresh()
        var workload = try Workload(contentsOf: options.workloadPath)
        let eventCount = workload.events.count
        let singles = Self.singleEvents(count: options.singles, after: workload.events)
        var batches = stride(from: 0, to: eventCount, by: Self.batchSize).map {
            Array(workload.events[$0..<min($0 + Self.batchSize, eventCount)])
        }
        workload.events = []
        report("workload_events", eventCount)
        report("workload_customers", workload.customerCount)
        reportMemory(after: "load")

        report("encrypted", options.encrypts ? 1 : 0)
        let key = MasterKey.generate()
        let ledgerOptions = Ledger.Options(
            program: Self.program, masterKey: options.encrypts ? key : nil, encryptsPersonalData: options.encrypts)
        let evaluationInstant: Timestamp
        do {
            let ledger = try Ledger(path: options.databasePath, options: ledgerOptions)
            try ingest(&batches, into: ledger, eventCount: eventCount)
            evaluationInstant = try lastRecordedAt(ledger)
            try reportDigest(ledger, asOf: evaluationInstant, prefix: "ingest_projection")
        }
        // The ledger closed at the end of the block above, which unmapped its file. Returning the
        // freed workload memory to the kernel as well makes the replay figures start from a
        // freshly opened ledger.
        ProcessMetrics.releaseFreedMemory()
        reportMemory(after: "reopen")

        let ledger = try Ledger(path: options.databasePath, options: ledgerOptions)
        try replay(ledger, eventCount: eventCount)
        try reportDigest(ledger, asOf: evaluationInstant, prefix: "replay")

        try lookUpHistories(ledger, customerCount: workload.customerCount)
        try lookUpStates(ledger, customerCount: workload.customerCount, asOf: evaluationInstant)
        try appendSingles(singles, to: ledger)
        report("file_bytes_after_all", ProcessMetrics.fileSize(dataFile))
    }

    private var dataFile: String { options.databasePath + "/data.mdb" }

    // MARK: - Phases

    /// Appends every batch in its own durable write transaction.
    private func ingest(_ batches: inout [[NewEvent]], into ledger: Ledger, eventCount: Int) throws {
        let startResident = ProcessMetrics.statusMiB("VmRSS")
        _ = ProcessMetrics.resetPeakResidentSize()
        let writtenBefore = ProcessMetrics.storageWriteBytes()
        let writeCallsBefore = ProcessMetrics.writeCallBytes()
        let cpuBefore = ProcessMetrics.cpuSeconds()
        let start = ProcessMetrics.monotonicSeconds()
        for batch in batches {
            try ledger.append(batch)
        }
        let seconds = ProcessMetrics.monotonicSeconds() - start
        let cpu = ProcessMetrics.cpuSeconds() - cpuBefore
        let written = ProcessMetrics.storageWriteBytes() - writtenBefore
        let writeCalls = ProcessMetrics.writeCallBytes() - writeCallsBefore
        let peakGrowth = ProcessMetrics.statusMiB("VmHWM") - startResident
        batches = []

        let appended = try ledger.lastPosition()
        guard appended == UInt64(eventCount) else {
            throw BenchmarkError("ingest failed: the ledger has \(appended) events, expected \(eventCount)")
        }
        report("ingest_events_per_s", Double(eventCount) / seconds, digits: 0)
        report("ingest_seconds", seconds, digits: 3)
        report("ingest_user_cpu_seconds", cpu.user, digits: 3)
        report("ingest_system_cpu_seconds", cpu.system, digits: 3)
        report("ingest_disk_write_bytes_per_event", Double(written) / Double(eventCount), digits: 1)
        report("ingest_write_call_bytes_per_event", Double(writeCalls) / Double(eventCount), digits: 1)
        let fileBytes = ProcessMetrics.fileSize(dataFile)
        report("file_bytes_after_ingest", fileBytes)
        report("file_bytes_per_event", Double(fileBytes) / Double(eventCount), digits: 1)
        // The peak includes the mapped workload held in memory, so the growth over the start is the
        // ledger's share.
        report("ingest_rss_growth_mb", peakGrowth, digits: 1)
        reportMemory(after: "ingest")
    }

    /// Rebuilds every projection from the log with ``Ledger/replay(program:progress:)``.
    private func replay(_ ledger: Ledger, eventCount: Int) throws {
        let peakWasReset = ProcessMetrics.resetPeakResidentSize()
        let cpuBefore = ProcessMetrics.cpuSeconds()
        let start = ProcessMetrics.monotonicSeconds()
        let summary = try ledger.replay()
        let seconds = ProcessMetrics.monotonicSeconds() - start
        let cpu = ProcessMetrics.cpuSeconds() - cpuBefore
        guard summary.events == UInt64(eventCount) else {
            throw BenchmarkError("replay folded \(summary.events) events, expected \(eventCount)")
        }
        report("replay_events_per_s", Double(eventCount) / seconds, digits: 0)
        report("replay_seconds", seconds, digits: 3)
        report("replay_user_cpu_seconds", cpu.user, digits: 3)
        report("replay_system_cpu_seconds", cpu.system, digits: 3)
        report("replay_customers", summary.customers)
        report("replay_orders", summary.orders)
        report("file_bytes_after_replay", ProcessMetrics.fileSize(dataFile))
        report("peak_rss_reset_per_phase", peakWasReset ? 1 : 0)
        reportMemory(after: "replay")
        // Resident memory that a trim returns was freed by the replay, so it is not a leak.
        ProcessMetrics.releaseFreedMemory()
        report("rss_anon_mb_after_replay_trim", ProcessMetrics.statusMiB("RssAnon"), digits: 1)
    }

    /// Prints the W1M digest and tier counts of the ledger's stored projections, with every tier
    /// evaluated by ``Ledger/tier(of:asOf:)`` at `instant`.
    private func reportDigest(_ ledger: Ledger, asOf instant: Timestamp, prefix: String) throws {
        let start = ProcessMetrics.monotonicSeconds()
        var states: [CustomerState] = []
        try ledger.forEachCustomer { states.append($0) }
        var digest = ProjectionDigest(tierCount: Self.program.tiers.count)
        for state in states {
            guard let tier = try ledger.tier(of: state.customerID, asOf: instant) else {
                throw BenchmarkError("customer \(state.customerID) has a state but no tier")
            }
            digest.add(state, currency: Self.program.currency, tierIndex: tier.tierIndex)
        }
        let seconds = ProcessMetrics.monotonicSeconds() - start
        report("\(prefix)_digest_seconds", seconds, digits: 3)
        report("\(prefix)_digest_customers", digest.customers)
        let tiers = zip(Self.program.tiers, digest.tierCounts).map { "\($0.name)=\($1)" }.joined(separator: " ")
        print("\(prefix)_tiers \(tiers)")
        print("\(prefix)_digest \(digest.hexadecimal)")
        fflush(nil)
    }

    /// Reads the full history of random customers.
    private func lookUpHistories(_ ledger: Ledger, customerCount: Int) throws {
        guard options.lookups > 0 else { return }
        // The same customer sequence as the SQLite peer's history lookups.
        var customers = CustomerSequence(seed: 0x1234567, customerCount: customerCount)
        let ids = (0..<options.lookups).map { _ in customers.next() }
        var events = 0
        _ = ProcessMetrics.resetPeakResidentSize()
        let start = ProcessMetrics.monotonicSeconds()
        for id in ids {
            events += try ledger.history(of: id).count
        }
        let seconds = ProcessMetrics.monotonicSeconds() - start
        report("history_us_per_op", seconds / Double(ids.count) * 1e6, digits: 2)
        report("history_events_per_op", Double(events) / Double(ids.count), digits: 2)
        reportMemory(after: "history")
    }

    /// Reads the state and the current tier of random customers.
    private func lookUpStates(_ ledger: Ledger, customerCount: Int, asOf instant: Timestamp) throws {
        guard options.lookups > 0 else { return }
        var customers = CustomerSequence(seed: 0x89AB_CDEF, customerCount: customerCount)
        let ids = (0..<options.lookups).map { _ in customers.next() }
        var pointsTotal: Int64 = 0
        var tierTotal = 0
        _ = ProcessMetrics.resetPeakResidentSize()
        let start = ProcessMetrics.monotonicSeconds()
        for id in ids {
            guard let state = try ledger.customer(id), let tier = try ledger.tier(of: id, asOf: instant) else {
                throw BenchmarkError("customer \(id) is missing from the projections")
            }
            pointsTotal += state.points.balance
            tierTotal += tier.tierIndex
        }
        let seconds = ProcessMetrics.monotonicSeconds() - start
        report("state_us_per_op", seconds / Double(ids.count) * 1e6, digits: 2)
        report("state_points_total", pointsTotal)
        report("state_tier_index_total", tierTotal)
        reportMemory(after: "state")
    }

    /// Appends each event in its own durable write transaction and prints the latency percentiles.
    private func appendSingles(_ events: [NewEvent], to ledger: Ledger) throws {
        guard !events.isEmpty else { return }
        var latencies: [Double] = []
        latencies.reserveCapacity(events.count)
        _ = ProcessMetrics.resetPeakResidentSize()
        let writtenBefore = ProcessMetrics.storageWriteBytes()
        let writeCallsBefore = ProcessMetrics.writeCallBytes()
        for event in events {
            let start = ProcessMetrics.monotonicSeconds()
            try ledger.append(event)
            latencies.append((ProcessMetrics.monotonicSeconds() - start) * 1e6)
        }
        let total = latencies.reduce(0, +)
        let written = ProcessMetrics.storageWriteBytes() - writtenBefore
        let writeCalls = ProcessMetrics.writeCallBytes() - writeCallsBefore
        latencies.sort()
        // The same percentile indexes as the peers: element count/2 and count*0.99 of the sorted list.
        report("single_commit_p50_us", latencies[latencies.count / 2], digits: 1)
        report("single_commit_p99_us", latencies[Int(Double(latencies.count) * 0.99)], digits: 1)
        report("single_commit_events_per_s", Double(events.count) / (total / 1e6), digits: 0)
        report("single_commit_disk_write_bytes_per_event", Double(written) / Double(events.count), digits: 0)
        report("single_commit_write_call_bytes_per_event", Double(writeCalls) / Double(events.count), digits: 0)
        reportMemory(after: "single")
    }

    // MARK: - Helpers

    /// Makes `count` new purchases, copied from the workload's purchases with fresh event and
    /// order ids, that happen and are recorded one second apart after the workload's last event.
    ///
    /// The event ids start with the recorded-at milliseconds, as the workload's ids do, so they
    /// sort after every workload id, like the time-ordered ids the ledger makes by default.
    static func singleEvents(count: Int, after workload: [NewEvent]) -> [NewEvent] {
        let purchases = workload.filter {
            if case .purchaseRecorded = $0.payload { true } else { false }
        }
        guard count > 0, !purchases.isEmpty else { return [] }
        let last = workload.last?.recordedAt ?? Timestamp(microseconds: 0)
        return (0..<count).map { index in
            var event = purchases[index % purchases.count]
            guard case .purchaseRecorded(var purchase) = event.payload else { return event }
            purchase.orderID += "-single-\(index)"
            event.payload = .purchaseRecorded(purchase)
            event.occurredAt = Timestamp(microseconds: last.microseconds + Int64(index + 1) * 1_000_000)
            event.recordedAt = event.occurredAt
            event.id = EventID.stable("ledger-bench single \(index)", prefix: UInt64(event.occurredAt.microseconds / 1000))
            return event
        }
    }

    /// Returns the recorded-at of the last event in the log, the instant the W1M tiers are evaluated at.
    private func lastRecordedAt(_ ledger: Ledger) throws -> Timestamp {
        guard let last = try ledger.event(at: ledger.lastPosition()) else {
            throw BenchmarkError("the ledger is empty after ingest")
        }
        report("tier_evaluation_instant_us", last.recordedAt.microseconds)
        return last.recordedAt
    }

    private func reportMemory(after phase: String) {
        report("peak_rss_mb_\(phase)", ProcessMetrics.statusMiB("VmHWM"), digits: 1)
        report("rss_mb_after_\(phase)", ProcessMetrics.statusMiB("VmRSS"), digits: 1)
        report("rss_anon_mb_after_\(phase)", ProcessMetrics.statusMiB("RssAnon"), digits: 1)
        report("rss_file_mb_after_\(phase)", ProcessMetrics.statusMiB("RssFile"), digits: 1)
    }
}

/// Prints one `metric value` line and flushes, so that a later failure keeps earlier figures.
func report(_ metric: String, _ value: Double, digits: Int) {
    print("\(metric) \(String(format: "%.\(digits)f", value))")
    fflush(nil)
}

func report<Integer: BinaryInteger>(_ metric: String, _ value: Integer) {
    print("\(metric) \(value)")
    fflush(nil)
}

/// Customer ids 1…N from a 64-bit linear congruential generator (Knuth's MMIX constants), taking
/// `1 + (state >> 33) % N` after each step.
struct CustomerSequence {
    var state: UInt64
    let customerCount: UInt64

    init(seed: UInt64, customerCount: Int) {
        state = seed
        self.customerCount = UInt64(customerCount)
    }

    mutating func next() -> CustomerID {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return CustomerID(1 + (state >> 33) % customerCount)!
    }
}
