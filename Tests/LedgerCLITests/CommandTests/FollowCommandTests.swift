import CustomerLedger
import Foundation
import Testing

// `ledger follow` and library subscriptions across processes. The follower runs as a child
// process while this process appends through the library, and a library subscription in this
// process watches `ledger import cdnow` running as a child.

/// A `ledger` process running in the background, with its standard output and error in files.
private final class BackgroundLedger {
    let process = Process()
    let outputPath: String
    let errorPath: String

    /// Starts `ledger arguments` with `LEDGER_DB` set to `database`, writing its output to files
    /// named after `label` in `folder`.
    init(_ arguments: [String], database: String, folder: String, label: String) throws {
        outputPath = folder + "/\(label).stdout"
        errorPath = folder + "/\(label).stderr"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["LEDGER_DB"] = database
        process.executableURL = try LedgerProcess.locateExecutable()
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
    }

    var standardOutput: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// The lines of standard output that end in a newline, without it. A line still being
    /// written, or cut off by a kill, is left out.
    var completeLines: [String] {
        var lines = standardOutput.components(separatedBy: "\n")
        lines.removeLast()
        return lines
    }

    /// Waits until the process has exited, or kills it after `seconds`, and returns its status.
    func waitForExit(seconds: Double = 60) async throws -> Int32 {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw LedgerProcessError(description: "ledger \(process.arguments!.joined(separator: " ")) ran longer than \(seconds) s")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Waits until standard output has at least `count` complete lines, and returns false when
    /// the process exits or `seconds` pass first.
    func waitForLines(_ count: Int, seconds: Double = 60) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while completeLines.count < count {
            if !process.isRunning || ContinuousClock.now > deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

/// Appends one customer's registration and purchase per batch on a thread of its own until
/// stopped, pausing a few milliseconds between batches, the way another writer would.
private final class ContinuousAppender: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var stopRequested = false
    private var batchCount = 0
    private var outcome: Result<Void, any Error>?
    private var stopper: CheckedContinuation<Void, any Error>?

    init(ledger: Ledger, firstCustomer: UInt64) {
        Thread { [self] in
            var number = firstCustomer
            do {
                while !isStopRequested {
                    try ledger.append(followTestEvents(customers: number...number))
                    lock.lock()
                    batchCount += 1
                    lock.unlock()
                    number += 1
                    usleep(3_000)
                }
                finish(.success(()))
            } catch {
                finish(.failure(error))
            }
        }.start()
    }

    private var isStopRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    /// The number of batches committed so far.
    var batchesAppended: Int {
        lock.lock()
        defer { lock.unlock() }
        return batchCount
    }

    private func finish(_ result: Result<Void, any Error>) {
        lock.lock()
        outcome = result
        let waiting = stopper
        stopper = nil
        lock.unlock()
        waiting?.resume(with: result)
    }

    /// Stops after the batch being appended, suspends until the thread has ended and rethrows
    /// the error that stopped it, if any.
    func stop() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            lock.lock()
            stopRequested = true
            if let outcome {
                lock.unlock()
                continuation.resume(with: outcome)
            } else {
                stopper = continuation
                lock.unlock()
            }
        }
    }
}

/// Returns a registration and a purchase of 12.80 CNY for each customer number, one minute apart per customer.
private func followTestEvents(customers: ClosedRange<UInt64>) -> [NewEvent] {
    customers.flatMap { number -> [NewEvent] in
        let customerID = CustomerID(number)!
        let registeredAt = Timestamp(microseconds: 1_704_067_200_000_000 + Int64(number) * 60_000_000)
        return [
            NewEvent(
                customerID: customerID, occurredAt: registeredAt,
                payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "顾客 \(number)")))),
            NewEvent(
                customerID: customerID, occurredAt: Timestamp(microseconds: registeredAt.microseconds + 1_000_000),
                payload: .purchaseRecorded(PurchaseRecorded(
                    orderID: "F-\(number)", amount: Money(minorUnits: 1_280, currency: .cny)))),
        ]
    }
}

/// Creates a ledger at `database` with the events of `customers`, through the library.
private func makeLedger(at database: String, customers: ClosedRange<UInt64>?, currency: Currency = .cny) throws -> Ledger {
    let ledger = try Ledger(path: database, options: .init(program: LoyaltyProgram(currency: currency), masterKey: TestKey.key))
    if let customers { try ledger.append(followTestEvents(customers: customers)) }
    return ledger
}

private func readAllEvents(_ ledger: Ledger) throws -> [RecordedEvent] {
    try ledger.events(from: 1, limit: .max)
}

/// The position and event id of one JSON line of `ledger follow --json`.
private struct FollowedEvent: Decodable, Equatable {
    let position: UInt64
    let eventID: String
    let customerID: UInt64

    enum CodingKeys: String, CodingKey {
        case position
        case eventID = "event_id"
        case customerID = "customer_id"
    }

    init(_ line: String) throws {
        self = try JSONDecoder().decode(FollowedEvent.self, from: Data(line.utf8))
    }

    init(_ event: RecordedEvent) {
        position = event.position
        eventID = event.id.uuidString.lowercased()
        customerID = event.customerID.rawValue
    }
}

/// Returns the position stored in the checkpoint file at `path`, or nil when there is no file.
private func storedCheckpoint(_ path: String) throws -> UInt64? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let text = try String(contentsOfFile: path, encoding: .utf8)
    guard let position = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw LedgerProcessError(description: "the checkpoint file '\(path)' contains '\(text)', not a position")
    }
    return position
}

/// One run of a follower that was killed: the checkpoint it started from, its complete output
/// lines and the checkpoint it left.
private struct KilledRun {
    let startCheckpoint: UInt64
    let lines: [String]
    let endCheckpoint: UInt64
}

@Suite("ledger follow and cross-process subscriptions")
struct FollowCommandTests {
    // MARK: library subscription, other process

    @Test(.timeLimit(.minutes(2)))
    func subscriptionSeesImportOfOtherProcess() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            let ledger = try makeLedger(at: database, customers: nil, currency: .usd)
            let subscription = ledger.subscribe(after: 0, pollInterval: .milliseconds(50))
            // 3 customers and 4 orders: 3 registrations and 4 purchases.
            let file = try LoyaltyFixture.writeFile(
                """
                 customer_id  date number_of_cds  dollar_value
                 00001 19970101  1   11.77
                 00002 19970112  1   12.00
                 00002 19970112  5   77.00
                 00003 19970102  2   20.76

                """, named: "small.txt", in: folder)
            let consumer = Task {
                var events: [RecordedEvent] = []
                for try await event in subscription {
                    events.append(event)
                    if events.count == 7 { break }
                }
                return events
            }
            // Let the subscription find the empty log and start waiting before the import.
            try await Task.sleep(for: .milliseconds(300))

            let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)
            #expect(result.status == 0, "\(result)")
            let events = try await consumer.value

            #expect(events.map(\.position) == Array(1...7))
            #expect(events.map(\.customerID.rawValue) == [1, 1, 2, 2, 2, 3, 3])
            #expect(events.map(\.typeName) == [
                "CustomerRegistered", "PurchaseRecorded", "CustomerRegistered", "PurchaseRecorded", "PurchaseRecorded",
                "CustomerRegistered", "PurchaseRecorded",
            ])
            #expect(events.allSatisfy { $0.metadata.source == "cdnow" })
        }
    }

    // MARK: crash and restart

    /// Kills `ledger follow --json --checkpoint-file F` with SIGKILL five times while this
    /// process appends, and restarts it from F each time. Each killed run must leave a checkpoint
    /// equal to its last complete line or the line before it. A line printed but not checkpointed
    /// must be the first line of the next run. The checkpointed lines of all runs, followed by the
    /// last run's lines, must be the whole log, each position once and in order.
    @Test(.timeLimit(.minutes(3)))
    func killedFollowerResumesFromCheckpoint() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            let checkpointPath = folder + "/follow.checkpoint"
            let ledger = try makeLedger(at: database, customers: 1...20)
            let appender = ContinuousAppender(ledger: ledger, firstCustomer: 21)
            let arguments = ["follow", "--json", "--checkpoint-file", checkpointPath]

            var killedRuns: [KilledRun] = []
            for run in 0..<5 {
                let startCheckpoint = try storedCheckpoint(checkpointPath) ?? 0
                let follower = try BackgroundLedger(arguments, database: database, folder: folder, label: "run\(run)")
                // Kill each run 30 events after it started, in the middle of the stream.
                let reached = try await follower.waitForLines(30)
                #expect(reached, "run \(run) printed too little: \(follower.standardError)")
                let batchesBeforeKill = appender.batchesAppended
                kill(follower.process.processIdentifier, SIGKILL)
                _ = try await follower.waitForExit()
                #expect(follower.process.terminationReason == .uncaughtSignal)

                killedRuns.append(KilledRun(
                    startCheckpoint: startCheckpoint, lines: follower.completeLines,
                    endCheckpoint: try #require(try storedCheckpoint(checkpointPath))))
                // The appender must still be running at the kill, so that the kill is mid-stream. A
                // loaded machine may not run its thread for a while, so this waits up to 10 s.
                let deadline = ContinuousClock.now + .seconds(10)
                while appender.batchesAppended == batchesBeforeKill && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(appender.batchesAppended > batchesBeforeKill, "appends stopped before run \(run) was killed")
            }

            // The last run starts while appends go on and exits once they have stopped for 1.5 s.
            let finalCheckpoint = try #require(try storedCheckpoint(checkpointPath))
            let finalRun = try BackgroundLedger(
                arguments + ["--until-idle", "1.5"], database: database, folder: folder, label: "final")
            try await Task.sleep(for: .milliseconds(300))
            try await appender.stop()
            let status = try await finalRun.waitForExit()
            #expect(status == 0, "\(finalRun.standardError)")
            #expect(finalRun.standardOutput.hasSuffix("\n"))
            let finalPositions = try finalRun.completeLines.map { try FollowedEvent($0).position }
            #expect(finalPositions.first == finalCheckpoint + 1)
            let log = try readAllEvents(ledger).map(FollowedEvent.init)
            #expect(try storedCheckpoint(checkpointPath) == log.last?.position)

            var checkpointedLines: [String] = []
            for (index, run) in killedRuns.enumerated() {
                let positions = try run.lines.map { try FollowedEvent($0).position }
                let nextRunLines = index + 1 < killedRuns.count ? killedRuns[index + 1].lines : finalRun.completeLines

                // A run prints the positions after its start checkpoint, without gaps.
                let expectedPositions = positions.isEmpty ? [] : Array((run.startCheckpoint + 1)...(run.startCheckpoint + UInt64(positions.count)))
                #expect(positions == expectedPositions, "run \(index)")
                // The checkpoint is the last complete line, or the line before it when the kill
                // came between printing an event and storing its position.
                let lastPrinted = positions.last ?? run.startCheckpoint
                #expect(run.endCheckpoint == lastPrinted || run.endCheckpoint + 1 == lastPrinted, "run \(index)")
                if run.endCheckpoint + 1 == lastPrinted {
                    #expect(nextRunLines.first == run.lines.last, "the event printed but not checkpointed repeats once")
                }
                checkpointedLines += zip(positions, run.lines).filter { $0.0 <= run.endCheckpoint }.map(\.1)
            }
            let followed = try (checkpointedLines + finalRun.completeLines).map(FollowedEvent.init)

            #expect(followed.count == log.count)
            #expect(followed == log)
            #expect(log.count > 60)
        }
    }

    /// A checkpoint file that cannot be replaced stops the follower right after it printed the
    /// first event, so that event is printed but not checkpointed. The restart prints it again,
    /// exactly once, which is the one repeat the checkpoint contract allows.
    @Test func eventPrintedButNotCheckpointedRepeatsOnce() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let checkpointPath = folder + "/follow.checkpoint"
            try "0\n".write(toFile: checkpointPath, atomically: true, encoding: .utf8)
            // A folder where the temporary file belongs makes creating it fail, even for root.
            try FileManager.default.createDirectory(atPath: checkpointPath + ".tmp", withIntermediateDirectories: false)
            let arguments = ["follow", "--json", "--checkpoint-file", checkpointPath, "--until-idle", "0.5"]

            let failed = try await LedgerProcess.run(arguments, database: database)
            try FileManager.default.removeItem(atPath: checkpointPath + ".tmp")
            let restarted = try await LedgerProcess.run(arguments, database: database)

            #expect(failed.status == 74, "\(failed)")
            #expect(failed.outputLines.count == 1, "\(failed)")
            #expect(failed.standardError.contains("Event 1 was printed but not checkpointed"), "\(failed)")
            #expect(restarted.status == 0, "\(restarted)")
            #expect(restarted.outputLines.count == LoyaltyFixture.eventCount)
            #expect(restarted.outputLines.first == failed.outputLines.first)
            #expect(try storedCheckpoint(checkpointPath) == UInt64(LoyaltyFixture.eventCount))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func interruptStopsAfterCheckpointing() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let checkpointPath = folder + "/follow.checkpoint"
            let follower = try BackgroundLedger(
                ["follow", "--checkpoint-file", checkpointPath], database: database, folder: folder, label: "interrupted")
            let printedAll = try await follower.waitForLines(LoyaltyFixture.eventCount)
            #expect(printedAll, "\(follower.standardError)")
            // The checkpoint of the last line is stored just after it is printed.
            try await Task.sleep(for: .milliseconds(200))

            kill(follower.process.processIdentifier, SIGINT)
            let status = try await follower.waitForExit()

            #expect(status == 0, "\(follower.standardError)")
            #expect(follower.process.terminationReason == .exit)
            #expect(follower.standardError.contains("stopped after position 11: interrupted"), "\(follower.standardError)")
            #expect(try storedCheckpoint(checkpointPath) == 11)
        }
    }

    // MARK: output and options

    @Test func followJSONMatchesHistoryJSON() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let followed = try await LedgerProcess.run(["follow", "--json", "--until-idle", "0.3"], database: database)
            let history = try await LedgerProcess.run(["history", "4", "--json"], database: database)

            #expect(followed.status == 0, "\(followed)")
            #expect(followed.outputLines.count == LoyaltyFixture.eventCount)
            let positions = try followed.outputLines.map { try FollowedEvent($0).position }
            #expect(positions == Array(1...UInt64(LoyaltyFixture.eventCount)))
            let customerFour = try followed.outputLines.filter { try FollowedEvent($0).customerID == 4 }
            #expect(customerFour == history.outputLines)
            #expect(followed.standardError.contains("after position 0"), "\(followed)")
            #expect(followed.standardError.contains("stopped after position 11: no event for 0.3 s"), "\(followed)")
        }
    }

    @Test func followTextAfterPosition() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let result = try await LedgerProcess.run(["follow", "--after", "9", "--until-idle", "0.3"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines == [
                "10  2023-06-20  customer 4 v3  PointsRedeemed  redeemed 100 points for voucher",
                "11  2023-06-25  customer 4 v4  RefundRecorded  refund on order C4-1: 100.00 CNY",
            ])
        }
    }

    @Test func checkpointFileTakesPrecedenceOverAfter() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let checkpointPath = folder + "/follow.checkpoint"
            let first = try await LedgerProcess.run(
                ["follow", "--after", "8", "--checkpoint-file", checkpointPath, "--until-idle", "0.3"], database: database)
            let second = try await LedgerProcess.run(
                ["follow", "--after", "0", "--checkpoint-file", checkpointPath, "--until-idle", "0.3"], database: database)

            #expect(first.status == 0, "\(first)")
            #expect(first.outputLines.map { $0.prefix(3) } == ["9  ", "10 ", "11 "])
            #expect(second.status == 0, "\(second)")
            #expect(second.standardOutput.isEmpty, "\(second)")
            #expect(second.standardError.contains("after position 11 (from the checkpoint file"), "\(second)")
            #expect(try storedCheckpoint(checkpointPath) == 11)
        }
    }

    @Test func followRejectsInvalidArguments() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            for idle in ["0", "-1", "abc", "nan"] {
                let result = try await LedgerProcess.run(["follow", "--until-idle", idle], database: database)
                #expect(result.status == 64, "\(result)")
                #expect(result.standardError.contains("'--until-idle' expects a number of seconds"), "\(result)")
            }
            let negative = try await LedgerProcess.run(["follow", "--after", "-3"], database: database)
            #expect(negative.status == 64, "\(negative)")
        }
    }

    @Test func followRejectsInvalidCheckpointFile() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let garbled = try LoyaltyFixture.writeFile("twelve\n", named: "garbled", in: folder)
            let ahead = try LoyaltyFixture.writeFile("99\n", named: "ahead", in: folder)

            let garbledResult = try await LedgerProcess.run(
                ["follow", "--checkpoint-file", garbled, "--until-idle", "0.3"], database: database)
            let aheadResult = try await LedgerProcess.run(
                ["follow", "--checkpoint-file", ahead, "--until-idle", "0.3"], database: database)

            #expect(garbledResult.status == 65, "\(garbledResult)")
            #expect(garbledResult.standardError.contains("expected one position such as 42, found 'twelve'"))
            #expect(aheadResult.status == 65, "\(aheadResult)")
            #expect(
                aheadResult.standardError.contains("the checkpoint 99 in '\(ahead)' is after the last event of the ledger, position 11"),
                "\(aheadResult)")
            #expect(aheadResult.standardOutput.isEmpty)

            let afterResult = try await LedgerProcess.run(
                ["follow", "--after", "12", "--checkpoint-file", folder + "/new.checkpoint"], database: database)
            #expect(afterResult.status == 65, "\(afterResult)")
            #expect(afterResult.standardError.contains("--after 12 is after the last event of the ledger, position 11"), "\(afterResult)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/new.checkpoint"))
        }
    }

    @Test func followWithoutLedgerIsNotFound() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["follow", "--until-idle", "0.3"], database: folder + "/missing.db")
            #expect(result.status == 66, "\(result)")
        }
    }
}
