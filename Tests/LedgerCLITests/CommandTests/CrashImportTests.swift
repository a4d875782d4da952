import CustomerLedger
import Foundation
import Testing

// Crash safety of `ledger import csv --commit-every N`. Each run starts the import in a child
// process, kills it with SIGKILL at a random moment, reopens the ledger through the library and
// checks the invariants. It then reruns the import to completion and compares the result with a
// ledger imported without interruption.
//
// The suite runs a few small runs by default. The environment variables below scale it up:
//   LEDGER_CRASH_RUNS  the number of killed runs (default 4)
//   LEDGER_CRASH_ROWS  the rows of the synthetic CSV file (default 3,000)
//   LEDGER_CRASH_SEED  the seed of the first run (default random); run r uses SEED + r, so
//                      LEDGER_CRASH_SEED=S LEDGER_CRASH_RUNS=1 repeats the run that a failure names.

/// SplitMix64, a small seeded generator, so that a seed reproduces a data set or a kill moment.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A deterministic CSV file of purchases and the events that importing it must append, in order.
private struct SyntheticPurchases {
    struct Row {
        let customer: UInt64
        let order: String
        let amountMinorUnits: Int64
    }

    static let mapping = "customer=customer,order=order,amount=amount,occurred_at=occurred_at,sku=sku,quantity=quantity"

    let rows: [Row]
    let csv: String
    /// For each event in append order, `R<customer>` for a registration or `P<customer>/<order>`
    /// for a purchase.
    let expectedEventKeys: [String]
    /// `eventsThroughRow[i]` is the number of events of the first `i` rows.
    let eventsThroughRow: [Int]
    let customerCount: Int
    let totalMinorUnits: Int64

    /// Builds `count` rows of about `count / 5` customers, with amounts from 0.00 to 999.99 CNY on
    /// days of 2024.
    init(rows count: Int, seed: UInt64) {
        var generator = SplitMix64(state: seed)
        var rows: [Row] = []
        var csv = "customer,order,amount,occurred_at,sku,quantity\n"
        let customers = UInt64(max(1, count / 5))
        for index in 0..<count {
            let customer = UInt64.random(in: 1...customers, using: &generator)
            let amount = Int64.random(in: 0...99_999, using: &generator)
            let day = Int.random(in: 0..<366, using: &generator)
            let row = Row(customer: customer, order: "W-\(index + 1)", amountMinorUnits: amount)
            rows.append(row)
            let quantity = Int.random(in: 1...5, using: &generator)
            csv += "\(customer),\(row.order),\(amount / 100).\(String(format: "%02d", amount % 100)),"
                + "\(Self.date(dayOfYear2024: day)),SKU-\(quantity),\(quantity)\n"
        }
        var keys: [String] = []
        var eventsThroughRow = [0]
        var registered: Set<UInt64> = []
        for row in rows {
            if registered.insert(row.customer).inserted { keys.append("R\(row.customer)") }
            keys.append("P\(row.customer)/\(row.order)")
            eventsThroughRow.append(keys.count)
        }
        self.rows = rows
        self.csv = csv
        expectedEventKeys = keys
        self.eventsThroughRow = eventsThroughRow
        customerCount = registered.count
        totalMinorUnits = rows.reduce(0) { $0 + $1.amountMinorUnits }
    }

    /// Returns `2024-MM-DD` for a 0-based day of the leap year 2024.
    private static func date(dayOfYear2024 day: Int) -> String {
        let monthLengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var month = 0
        var dayOfMonth = day
        while dayOfMonth >= monthLengths[month] {
            dayOfMonth -= monthLengths[month]
            month += 1
        }
        return "2024-" + String(format: "%02d-%02d", month + 1, dayOfMonth + 1)
    }

    /// Returns the number of events after the first `batches` transactions of `rowsPerCommit` rows.
    func events(afterBatches batches: Int, rowsPerCommit: Int) -> Int {
        eventsThroughRow[min(batches * rowsPerCommit, rows.count)]
    }

    static func key(of event: RecordedEvent) -> String {
        switch event.payload {
        case .customerRegistered: "R\(event.customerID.rawValue)"
        case .purchaseRecorded(let purchase): "P\(event.customerID.rawValue)/\(purchase.orderID)"
        default: "\(event.typeName)\(event.customerID.rawValue)"
        }
    }
}

/// A broken invariant of one run.
private struct InvariantViolation: Error, CustomStringConvertible {
    let description: String
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw InvariantViolation(description: message()) }
}

/// The output of an import that was killed, or that finished before the kill came.
private struct KilledImport {
    let lines: [String]
    let acknowledgments: [String]
    let wasKilled: Bool
    let exitStatus: Int32
    let standardError: String
}

/// Set once a child process has exited, so that its time limit kills nothing afterwards.
private final class ExitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var exited = false

    func markExited() { lock.withLock { exited = true } }

    /// Sends SIGKILL to `processID` unless the process has exited.
    func killUnlessExited(_ processID: Int32) {
        lock.withLock { if !exited { kill(processID, SIGKILL) } }
    }
}

/// Starts `ledger arguments` with its standard output on a pipe, sends SIGKILL once
/// `killAfterLines` complete lines arrived and `delayMicroseconds` passed, and reads the rest of
/// the output until the pipe closes. With `killAfterLines` nil it waits for the exit.
@available(*, noasync)
private func runAndKill(
    _ arguments: [String], database: String, folder: String, killAfterLines: Int?, delayMicroseconds: UInt32 = 0
) throws -> KilledImport {
    let errorPath = folder + "/import.stderr"
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    var environment = ProcessInfo.processInfo.environment
    environment["LEDGER_DB"] = database
    environment["LEDGER_KEY_FILE"] = try TestKey.file()
    environment["LEDGER_ROLE"] = nil
    let process = Process()
    let output = Pipe()
    process.executableURL = try LedgerProcess.locateExecutable()
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    try process.run()
    let processID = process.processIdentifier
    let exitFlag = ExitFlag()
    // Stops a hung child. An import of 100,000 rows took 11 s in a debug build on a 2-core Linux VM.
    DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(LedgerProcess.timeoutSeconds)) {
        exitFlag.killUnlessExited(processID)
    }

    var sentKill = false
    func sendKill() {
        if delayMicroseconds > 0 { usleep(delayMicroseconds) }
        kill(processID, SIGKILL)
        sentKill = true
    }
    if killAfterLines == 0 { sendKill() }
    var pending: [UInt8] = []
    var lines: [String] = []
    while true {
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        pending += chunk
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
            if !sentKill && lines.count == killAfterLines { sendKill() }
        }
    }
    process.waitUntilExit()
    exitFlag.markExited()
    let acknowledgments = lines.filter { $0.hasPrefix("committed rows ") }
    return KilledImport(
        lines: lines, acknowledgments: acknowledgments, wasKilled: process.terminationReason == .uncaughtSignal,
        exitStatus: process.terminationStatus,
        standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
}

/// The figures of one run, for the summary that the test prints.
private struct RunFigures {
    let wasKilled: Bool
    let acknowledgedBatches: Int
    let committedBatches: Int
}

/// The totals of a ledger, to compare an interrupted and rerun import with an uninterrupted one.
/// The projection tables of two ledgers differ even for the same events, because personal data
/// is sealed with random nonces, so each ledger's projections are compared with its own replay.
private struct LedgerTotals: Equatable, CustomStringConvertible {
    let eventKeys: [String]
    let eventIDs: [UUID]
    let customerCount: UInt64
    let netSpendMinorUnits: Int64

    @available(*, noasync)
    init(_ ledger: Ledger) throws {
        let events = try ledger.events(from: 1, limit: .max)
        eventKeys = events.map(SyntheticPurchases.key)
        eventIDs = events.map(\.id)
        customerCount = try ledger.statistics().customerCount
        var net: Int64 = 0
        try ledger.forEachCustomer(personalData: false) { state in
            net += state.spend.first { $0.currency == .cny }?.net ?? 0
        }
        netSpendMinorUnits = net
    }

    var description: String {
        "\(eventKeys.count) events, \(customerCount) customers, net spend \(netSpendMinorUnits) minor units"
    }
}

/// Requires `verify` to find nothing, which covers gapless positions and versions, the hash chain
/// and projections equal to a replay, and requires the projection tables to stay byte for byte
/// the same through a replay.
@available(*, noasync)
private func requireVerifiedAndReplayable(_ ledger: Ledger, _ moment: String) throws {
    let report = try ledger.verify()
    try require(report.isVerified, "\(moment): verify found \(report.findings.prefix(5))")
    let fingerprint = try ledger.projectionFingerprint()
    try ledger.replay()
    let replayed = try ledger.projectionFingerprint()
    try require(fingerprint == replayed, "\(moment): the projections \(fingerprint) differ from a replay's \(replayed)")
}

/// Kills the import at a moment that `seed` chooses, checks the invariants on the reopened
/// ledger, reruns the import to completion and compares the result with `reference`.
@available(*, noasync)
private func crashRun(
    seed: UInt64, data: SyntheticPurchases, csvPath: String, rowsPerCommit: Int, reference: LedgerTotals, folder: String
) throws -> RunFigures {
    var generator = SplitMix64(state: seed)
    let batchCount = (data.rows.count + rowsPerCommit - 1) / rowsPerCommit
    let killAfterLines = Int.random(in: 0..<batchCount, using: &generator)
    let delayMicroseconds = UInt32.random(in: 0..<1_000, using: &generator)
    let database = folder + "/ledger.db"
    let arguments = ["import", "csv", csvPath, "--map", SyntheticPurchases.mapping, "--commit-every", "\(rowsPerCommit)"]
    let moment = "kill after \(killAfterLines) acknowledgments + \(delayMicroseconds) µs"

    let killed = try runAndKill(
        arguments, database: database, folder: folder, killAfterLines: killAfterLines, delayMicroseconds: delayMicroseconds)
    try require(
        killed.wasKilled || killed.exitStatus == 0,
        "\(moment): the import failed with status \(killed.exitStatus) before the kill: \(killed.standardError)")

    // Each acknowledgment names the next rows and the position where the log ends after them.
    for (index, line) in killed.acknowledgments.enumerated() {
        let firstRow = index * rowsPerCommit + 1
        let lastRow = min(firstRow + rowsPerCommit - 1, data.rows.count)
        let position = data.events(afterBatches: index + 1, rowsPerCommit: rowsPerCommit)
        try require(
            line == "committed rows \(firstRow)-\(lastRow) through position \(position)",
            "\(moment): acknowledgment \(index + 1) is '\(line)', expected rows \(firstRow)-\(lastRow) through position \(position)")
    }
    let acknowledged = killed.acknowledgments.count

    // Reopens the ledger and checks that the log is a prefix of whole transactions.
    var committedBatches = 0
    if FileManager.default.fileExists(atPath: database) {
        let ledger = try Ledger(path: database, options: .init(masterKey: TestKey.key))
        let events = try ledger.events(from: 1, limit: .max)
        let keys = events.map(SyntheticPurchases.key)
        let batchEnds = (0...batchCount).map { data.events(afterBatches: $0, rowsPerCommit: rowsPerCommit) }
        guard let batches = batchEnds.firstIndex(of: keys.count) else {
            throw InvariantViolation(
                description: "\(moment): the log has \(keys.count) events, which ends inside a transaction, but transactions end at \(batchEnds.prefix(acknowledged + 3))")
        }
        committedBatches = batches
        try require(
            batches >= acknowledged,
            "\(moment): \(acknowledged) transactions were acknowledged but the log has only \(batches)")
        try require(
            keys == Array(data.expectedEventKeys.prefix(keys.count)),
            "\(moment): the log's \(keys.count) events are not the first events of the file in order")
        try require(events.map(\.position) == Array(0..<UInt64(events.count)).map { $0 + 1 }, "\(moment): the positions have gaps")

        try requireVerifiedAndReplayable(ledger, "\(moment), after the kill")
    }

    // The rerun appends exactly the missing events.
    let missing = data.expectedEventKeys.count - data.events(afterBatches: committedBatches, rowsPerCommit: rowsPerCommit)
    let rerun = try runAndKill(arguments, database: database, folder: folder, killAfterLines: nil)
    try require(rerun.exitStatus == 0 && !rerun.wasKilled, "\(moment): the rerun failed with status \(rerun.exitStatus): \(rerun.standardError)")
    try require(
        rerun.acknowledgments.count == batchCount,
        "\(moment): the rerun acknowledged \(rerun.acknowledgments.count) transactions, expected \(batchCount)")
    let summary = rerun.lines.last ?? ""
    let appended = try Regex(": ([0-9,]+) events? appended").firstMatch(in: summary)
        .flatMap { $0.output[1].substring }.flatMap { Int($0.filter(\.isNumber)) }
    try require(appended == missing, "\(moment): the rerun reports '\(summary)', expected \(missing) events appended")
    let ledger = try Ledger(path: database, options: .init(masterKey: TestKey.key))
    let totals = try LedgerTotals(ledger)
    try require(
        totals.eventKeys.count == reference.eventKeys.count,
        "\(moment): after the rerun the log has \(totals.eventKeys.count) events, expected \(reference.eventKeys.count) (\(missing) missing before it)")
    try require(totals == reference, "\(moment): after the rerun the ledger has \(totals), expected \(reference)")
    try requireVerifiedAndReplayable(ledger, "\(moment), after the rerun")
    return RunFigures(wasKilled: killed.wasKilled, acknowledgedBatches: acknowledged, committedBatches: committedBatches)
}

/// Runs `body` on a thread of its own, because the ledger's methods and the blocking pipe reads
/// must not run on the cooperative thread pool.
private func onThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

private func environmentInteger(_ name: String) -> Int? {
    ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
}

@Suite("import csv --commit-every crash safety")
struct CrashImportTests {
    @Test func killedImportKeepsWholeTransactions() async throws {
        let runs = environmentInteger("LEDGER_CRASH_RUNS") ?? 4
        let rowCount = environmentInteger("LEDGER_CRASH_ROWS") ?? 3_000
        let firstSeed = ProcessInfo.processInfo.environment["LEDGER_CRASH_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        // About 100 transactions per import, so that a kill lands in the middle of most imports.
        let rowsPerCommit = max(1, rowCount / 100)
        let data = SyntheticPurchases(rows: rowCount, seed: 20_240_101)

        try await withTemporaryFolder { folder in
            let csvPath = folder + "/purchases.csv"
            try data.csv.write(toFile: csvPath, atomically: true, encoding: .utf8)

            // The reference: the same file imported in one transaction, without interruption.
            let referenceDatabase = folder + "/reference.db"
            let imported = try await LedgerProcess.run(
                ["import", "csv", csvPath, "--map", SyntheticPurchases.mapping], database: referenceDatabase)
            try #require(imported.status == 0, "\(imported)")
            let reference = try await onThread {
                try LedgerTotals(Ledger(path: referenceDatabase, options: .init(masterKey: TestKey.key)))
            }
            #expect(reference.eventKeys == data.expectedEventKeys)
            #expect(reference.customerCount == UInt64(data.customerCount))
            #expect(reference.netSpendMinorUnits == data.totalMinorUnits)

            let outcomes = try await onThread {
                var failures: [String] = []
                var figures: [RunFigures] = []
                for run in 0..<runs {
                    let seed = firstSeed &+ UInt64(run)
                    let runFolder = folder + "/run\(run)"
                    try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: false)
                    do {
                        figures.append(try crashRun(
                            seed: seed, data: data, csvPath: csvPath, rowsPerCommit: rowsPerCommit, reference: reference,
                            folder: runFolder))
                    } catch {
                        failures.append("run \(run), LEDGER_CRASH_SEED=\(seed) LEDGER_CRASH_ROWS=\(rowCount): \(error)")
                    }
                    try FileManager.default.removeItem(atPath: runFolder)
                }
                return (failures, figures)
            }
            let (failures, figures) = outcomes

            #expect(failures.isEmpty, "\(failures.count) of \(runs) runs failed:\n\(failures.joined(separator: "\n"))")
            let killed = figures.filter(\.wasKilled)
            print(
                "crash harness: \(runs) runs of \(rowCount) rows in transactions of \(rowsPerCommit), first seed \(firstSeed): "
                    + "\(killed.count) killed after \(killed.map(\.acknowledgedBatches).min() ?? 0) to \(killed.map(\.acknowledgedBatches).max() ?? 0) acknowledged transactions, "
                    + "\(killed.filter { $0.committedBatches == 0 }.count) before the first commit, "
                    + "\(killed.filter { $0.committedBatches > $0.acknowledgedBatches }.count) with a commit not yet acknowledged, "
                    + "\(failures.count) failed")
            // A run rarely finishes before its kill, but most runs must be killed mid-import.
            #expect(killed.count * 2 >= figures.count, "only \(killed.count) of \(figures.count) runs were killed before they finished")
        }
    }
}
