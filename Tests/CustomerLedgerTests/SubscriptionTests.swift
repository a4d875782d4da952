import Foundation
import Testing

@testable import CustomerLedger

// Subscriptions on a real ledger. Most tests use a poll interval of 60 s, so an event that
// arrives within the test's time limit was delivered by the commit notification of this
// process, not by polling. Appends from another process are tested in LedgerCLITests, which
// can run the `ledger` executable.

/// Returns a registration and a purchase for each customer number, one minute apart per customer.
private func sampleEvents(customers: ClosedRange<UInt64>) -> [NewEvent] {
    customers.flatMap { number -> [NewEvent] in
        let registeredAt = Timestamp(microseconds: time("2024-01-01").microseconds + Int64(number) * 60_000_000)
        let purchasedAt = Timestamp(microseconds: registeredAt.microseconds + 1_000_000)
        return [
            registration(customer: number, at: registeredAt),
            purchase(customer: number, order: "S-\(number)", amount: cny("12.80"), at: purchasedAt),
        ]
    }
}

/// Opens a new ledger in `directory` and appends the sample events of `customers`.
private func makeLedger(in directory: TemporaryDirectory, customers: ClosedRange<UInt64>) throws -> Ledger {
    let ledger = try openLedger(at: directory.path + "/ledger")
    try ledger.append(sampleEvents(customers: customers))
    return ledger
}

/// Reads every event of the log, for comparing with what a subscription delivered.
private func allEvents(of ledger: Ledger) throws -> [RecordedEvent] {
    try ledger.events(from: 1, limit: .max)
}

/// Waits on the current thread until `condition` holds, checking every millisecond, and
/// returns false when it still does not hold after `seconds`.
private func waitOnThread(seconds: Double = 60, until condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        usleep(1_000)
    }
    return true
}

/// Waits in the current task until `condition` holds, checking every 5 ms, and returns false
/// when it still does not hold after `seconds`.
private func waitInTask(seconds: Double = 60, until condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try await Task.sleep(for: .milliseconds(5))
    }
    return true
}

/// Collects events of `subscription` until one at `lastPosition` arrives.
func collect(_ subscription: LedgerSubscription, through lastPosition: UInt64) async throws -> [RecordedEvent] {
    var events: [RecordedEvent] = []
    for try await event in subscription {
        events.append(event)
        if event.position >= lastPosition { break }
    }
    return events
}

/// A thread that appends batches to a ledger, so that the appends run outside Swift concurrency
/// as they do in a server thread.
private final class AppendingThread: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var outcome: Result<Void, any Error>?
    private var joiner: CheckedContinuation<Void, any Error>?

    /// Starts appending `batches` in order. Before each batch for which `waitsForSubscriber`
    /// returns true, it waits until a subscription of `ledger` is suspended waiting for events.
    init(ledger: Ledger, batches: [[NewEvent]], waitsForSubscriber: @escaping @Sendable (Int) -> Bool) {
        let thread = Thread { [self] in
            do {
                for (index, batch) in batches.enumerated() {
                    if waitsForSubscriber(index) {
                        guard waitOnThread(until: { ledger.commitNotifier.waiterCount > 0 }) else {
                            throw LedgerTestFailure("no subscriber was waiting before batch \(index)")
                        }
                    }
                    try ledger.append(batch)
                }
                finish(.success(()))
            } catch {
                finish(.failure(error))
            }
        }
        thread.start()
    }

    private func finish(_ result: Result<Void, any Error>) {
        lock.lock()
        outcome = result
        let waiting = joiner
        joiner = nil
        lock.unlock()
        waiting?.resume(with: result)
    }

    /// Suspends until the thread has appended its last batch, without blocking a thread of the
    /// cooperative pool, which the subscribers need, and rethrows the error that stopped it.
    func join() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            lock.lock()
            if let outcome {
                lock.unlock()
                continuation.resume(with: outcome)
            } else {
                joiner = continuation
                lock.unlock()
            }
        }
    }
}

private struct LedgerTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts a thread that appends the sample events of `customers`, one customer per batch.
private func startAppending(
    to ledger: Ledger, customers: ClosedRange<UInt64>, waitsForSubscriber: @escaping @Sendable (Int) -> Bool
) -> AppendingThread {
    let batches = customers.map { sampleEvents(customers: $0...$0) }
    return AppendingThread(ledger: ledger, batches: batches, waitsForSubscriber: waitsForSubscriber)
}

@Suite("Subscriptions")
struct SubscriptionTests {
    @Test(.timeLimit(.minutes(1)))
    func deliversLaterEventsThenLiveAppends() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...10)
        // A chunk size of 3 makes the 13 events after the checkpoint take several reads.
        let subscription = ledger.subscribe(after: 7, pollInterval: .seconds(60), chunkSize: 3)
        let consumer = Task { try await collect(subscription, through: 80) }

        // Customers 11 to 25 are appended one at a time while the subscriber waits, so each is
        // delivered by the commit notification. Customers 26 to 40 follow without pauses.
        let appender = startAppending(to: ledger, customers: 11...40) { index in index < 15 }
        try await appender.join()
        let delivered = try await consumer.value

        #expect(delivered.map(\.position) == Array(8...80))
        let expected = try allEvents(of: ledger).filter { $0.position > 7 }
        #expect(delivered == expected)
        #expect(Set(delivered.map(\.id)).count == delivered.count)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancellationEndsWaitingSubscriber() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...3)
        let subscription = ledger.subscribe(after: 2, pollInterval: .seconds(60))
        let consumer = Task {
            var positions: [UInt64] = []
            for try await event in subscription { positions.append(event.position) }
            return positions
        }
        #expect(try await waitInTask { ledger.commitNotifier.waiterCount == 1 })

        let cancelledAt = ContinuousClock.now
        consumer.cancel()
        let positions = try await consumer.value
        let elapsed = ContinuousClock.now - cancelledAt

        #expect(positions == [3, 4, 5, 6])
        // The poll interval is 60 s, so ending within 30 s shows that cancellation woke the
        // subscriber, with room for a loaded machine.
        #expect(elapsed < .seconds(30), "the sequence ended \(elapsed) after cancellation")
        #expect(ledger.commitNotifier.waiterCount == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancelledTaskReceivesNoEvent() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...3)
        let subscription = ledger.subscribe(after: 0, pollInterval: .seconds(60))
        let consumer = Task {
            // Wait for the cancellation before iterating.
            while !Task.isCancelled { await Task.yield() }
            var count = 0
            for try await _ in subscription { count += 1 }
            return count
        }
        consumer.cancel()

        #expect(try await consumer.value == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func restartAfterCheckpointContinuesWithoutRepeats() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...20)

        // The first consumer processes positions 1 to 15 and stores 15 as its checkpoint.
        let first = try await collect(ledger.subscribe(after: 0, pollInterval: .seconds(60), chunkSize: 4), through: 15)
        let checkpoint = try #require(first.last?.position)
        let second = try await collect(ledger.subscribe(after: checkpoint, pollInterval: .seconds(60)), through: 40)

        #expect(checkpoint == 15)
        #expect((first + second).map(\.position) == Array(1...40))
        #expect(first + second == (try allEvents(of: ledger)))
    }

    @Test(.timeLimit(.minutes(1)))
    func concurrentSubscribersEachReceiveEveryEvent() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...5)
        let early = Task { try await collect(ledger.subscribe(after: 0, pollInterval: .seconds(60)), through: 60) }
        let late = Task { try await collect(ledger.subscribe(after: 9, pollInterval: .seconds(60)), through: 60) }

        let appender = startAppending(to: ledger, customers: 6...30) { _ in false }
        try await appender.join()
        let expected = try allEvents(of: ledger)

        #expect(try await early.value == expected)
        #expect(try await late.value == Array(expected.dropFirst(9)))
    }

    @MainActor
    @Test(.timeLimit(.minutes(1)))
    func iteratesOnMainActor() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...2)
        var positions: [UInt64] = []
        for try await event in ledger.subscribe(after: 1) {
            positions.append(event.position)
            if event.position == 4 { break }
        }

        #expect(positions == [2, 3, 4])
    }

    @Test(.timeLimit(.minutes(1)))
    func checkpointAtEndWaitsForNextEvent() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...2)
        let consumer = Task { try await collect(ledger.subscribe(after: 4, pollInterval: .seconds(60)), through: 5) }

        let appender = startAppending(to: ledger, customers: 3...3) { _ in true }
        try await appender.join()

        #expect(try await consumer.value.map(\.position) == [5])
    }

    @Test(.timeLimit(.minutes(1)))
    func checkpointBeyondLogThrows() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...2)
        var iterator = ledger.subscribe(after: 5).makeAsyncIterator()

        await #expect(throws: SubscriptionError.checkpointBeyondLog(checkpoint: 5, lastPosition: 4)) {
            _ = try await iterator.next()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func emptyLedgerDeliversFirstEvent() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/ledger")
        let consumer = Task { try await collect(ledger.subscribe(after: 0, pollInterval: .seconds(60)), through: 2) }

        let appender = startAppending(to: ledger, customers: 1...1) { _ in true }
        try await appender.join()

        #expect(try await consumer.value.map(\.position) == [1, 2])
    }
}

@Suite("Commit notifier")
struct CommitNotifierTests {
    @Test(.timeLimit(.minutes(1)))
    func waitReturnsAtOnceAfterMissedCommit() async {
        let notifier = CommitNotifier()
        let seen = notifier.generation
        notifier.notify()
        let start = ContinuousClock.now

        await notifier.wait(afterGeneration: seen, timeout: .seconds(60))

        // Well under the 60 s timeout, with room for a loaded machine.
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(notifier.waiterCount == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func waitEndsAfterTimeout() async {
        let notifier = CommitNotifier()
        let start = ContinuousClock.now

        await notifier.wait(afterGeneration: notifier.generation, timeout: .milliseconds(100))
        let elapsed = ContinuousClock.now - start

        #expect(elapsed >= .milliseconds(100))
        #expect(elapsed < .seconds(30))
        #expect(notifier.waiterCount == 0)
    }
}

// MARK: - README example

/// A stand-in for the reader's own destination of events in the README example.
private actor Outbox {
    private(set) var published: [RecordedEvent] = []

    func publish(_ event: RecordedEvent) async throws {
        published.append(event)
    }
}

/// A stand-in for the reader's own checkpoint storage in the README example.
private final class CheckpointStore: @unchecked Sendable {
    private let lock = NSLock()
    private var position: UInt64

    init(position: UInt64) { self.position = position }

    func load() throws -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return position
    }

    func save(_ position: UInt64) throws {
        lock.lock()
        self.position = position
        lock.unlock()
    }
}

/// Forwards every event after the stored checkpoint. The body is the README example, verbatim.
private func forwardEvents(of ledger: Ledger, to outbox: Outbox, checkpoints: CheckpointStore) async throws {
    for try await event in ledger.subscribe(after: try checkpoints.load()) {   // load() is 0 at first
        try await outbox.publish(event)          // process the event completely,
        try checkpoints.save(event.position)     // then store its position
    }
}

@Suite struct ReadmeSubscriptionExampleTests {
    @Test(.timeLimit(.minutes(1)))
    func forwardsFromCheckpointUntilCancelled() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(in: directory, customers: 1...3)
        let outbox = Outbox()
        let checkpoints = CheckpointStore(position: 2)
        let forwarding = Task { try await forwardEvents(of: ledger, to: outbox, checkpoints: checkpoints) }

        let appender = startAppending(to: ledger, customers: 4...4) { _ in true }
        try await appender.join()
        #expect(try await waitInTask { (try? checkpoints.load()) == 8 })
        forwarding.cancel()
        try await forwarding.value

        #expect(await outbox.published.map(\.position) == Array(3...8))
        #expect(try checkpoints.load() == 8)
    }
}
