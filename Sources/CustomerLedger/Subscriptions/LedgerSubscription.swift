import Foundation

extension Ledger {
    /// Returns a subscription to every event after position `checkpoint`, in position order,
    /// first the events already in the log and then each new one as it is committed.
    ///
    /// ```swift
    /// var checkpoint = loadCheckpoint()          // 0 on the first run
    /// for try await event in ledger.subscribe(after: checkpoint) {
    ///     try handle(event)
    ///     checkpoint = event.position
    ///     try saveCheckpoint(checkpoint)         // only after `handle` has finished
    /// }
    /// ```
    ///
    /// **Checkpoint contract.** The consumer stores the position of the last event it has fully
    /// processed and, after a restart, subscribes after that position. The subscription then
    /// delivers every later event exactly once and in order, so the consumer neither misses nor
    /// repeats an event. The one exception is an event whose processing finished but whose
    /// checkpoint was not yet stored when the consumer stopped: it is delivered once more.
    /// Positions have no gaps, so the position alone identifies where to resume.
    ///
    /// Appends of this process wake the subscription as soon as they commit. Appends of other
    /// processes become visible within about `pollInterval`, because the subscription then
    /// reads the stored last position again.
    ///
    /// Cancelling the task that iterates ends the sequence: `next()` returns nil without
    /// waiting for the poll interval.
    ///
    /// - parameters:
    ///   - checkpoint: the position of the last event already processed, or 0 to start at the
    ///     first event. The first `next()` throws ``SubscriptionError/checkpointBeyondLog(checkpoint:lastPosition:)``
    ///     when it is after the last event of the log.
    ///   - pollInterval: how long to wait before reading the log again when no append of this
    ///     process wakes the subscription. Must be positive.
    ///   - chunkSize: the maximum number of events read in one read transaction. Must be at least 1.
    public func subscribe(
        after checkpoint: UInt64, pollInterval: Duration = .milliseconds(50), chunkSize: Int = 256
    ) -> LedgerSubscription {
        precondition(pollInterval > .zero, "the poll interval must be positive, got \(pollInterval)")
        precondition(chunkSize >= 1, "the chunk size must be at least 1, got \(chunkSize)")
        return LedgerSubscription(ledger: self, checkpoint: checkpoint, pollInterval: pollInterval, chunkSize: chunkSize)
    }

    /// Reads up to `limit` events from `position` on in one read transaction, which ends before
    /// this function returns. Unlike ``events(from:limit:)`` it may be called from async code,
    /// because it blocks only for one bounded read and holds nothing across an `await`.
    func readChunkForSubscription(from position: UInt64, limit: Int) throws -> [RecordedEvent] {
        try events(from: position, limit: limit)
    }

    /// Reads the position of the last event in one read transaction. Like
    /// ``readChunkForSubscription(from:limit:)``, it may be called from async code.
    func readLastPositionForSubscription() throws -> UInt64 {
        try lastPosition()
    }
}

/// An endless, ordered sequence of the events after a checkpoint: the events already in the
/// log, then each event as it is committed. Create one with ``Ledger/subscribe(after:pollInterval:chunkSize:)``,
/// which documents the checkpoint contract.
///
/// Each iterator reads the log independently from the checkpoint, so iterating the same
/// subscription twice delivers the same events twice. The sequence ends only when the
/// iterating task is cancelled, and it throws when reading the log fails.
///
/// > Note: The iterator reads each chunk synchronously on the thread that runs `next()`, in a
/// > read transaction that ends before `next()` returns or suspends. One read takes as long as
/// > decoding `chunkSize` events, and longer only while a write of this process grows the map.
public struct LedgerSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    let ledger: Ledger
    /// The position of the last event the consumer has processed.
    public let checkpoint: UInt64
    public let pollInterval: Duration
    public let chunkSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(subscription: self)
    }

    /// Delivers the events of a ``LedgerSubscription`` one at a time.
    public struct Iterator: AsyncIteratorProtocol {
        private let subscription: LedgerSubscription
        /// The position of the next event to deliver.
        private var nextPosition: UInt64
        private var buffer: [RecordedEvent] = []
        private var bufferIndex = 0
        private var hasCheckedCheckpoint = false

        init(subscription: LedgerSubscription) {
            self.subscription = subscription
            nextPosition = subscription.checkpoint + 1
        }

        /// Returns the next event, waiting for one to be committed when the log has no more.
        /// Returns nil once the current task is cancelled.
        ///
        /// - throws: ``SubscriptionError`` for a checkpoint after the end of the log or a missing
        ///   position, and ``LMDBError`` or ``LedgerError`` when reading the log fails.
        public mutating func next() async throws -> RecordedEvent? {
            let ledger = subscription.ledger
            while !Task.isCancelled {
                if bufferIndex < buffer.count {
                    let event = buffer[bufferIndex]
                    bufferIndex += 1
                    return event
                }

                // Read the generation before the log: a commit after this line makes the wait
                // below return at once, so no wake-up is lost between reading and waiting.
                let generation = ledger.commitNotifier.generation
                let lastPosition = try ledger.readLastPositionForSubscription()
                if !hasCheckedCheckpoint {
                    guard subscription.checkpoint <= lastPosition else {
                        throw SubscriptionError.checkpointBeyondLog(
                            checkpoint: subscription.checkpoint, lastPosition: lastPosition)
                    }
                    hasCheckedCheckpoint = true
                }
                if lastPosition >= nextPosition {
                    try refill(from: ledger, lastPosition: lastPosition)
                    continue
                }
                await ledger.commitNotifier.wait(afterGeneration: generation, timeout: subscription.pollInterval)
            }
            return nil
        }

        /// Reads the next chunk into the buffer and checks that it continues the positions
        /// already delivered, so that no event is skipped or repeated.
        private mutating func refill(from ledger: Ledger, lastPosition: UInt64) throws {
            let chunk = try ledger.readChunkForSubscription(from: nextPosition, limit: subscription.chunkSize)
            guard !chunk.isEmpty else {
                throw SubscriptionError.missingEvent(position: nextPosition, lastPosition: lastPosition)
            }
            for (offset, event) in chunk.enumerated() where event.position != nextPosition + UInt64(offset) {
                throw SubscriptionError.missingEvent(position: nextPosition + UInt64(offset), lastPosition: lastPosition)
            }
            buffer = chunk
            bufferIndex = 0
            if let last = chunk.last { nextPosition = last.position + 1 }
        }
    }
}

/// An error that ends a ``LedgerSubscription``.
public enum SubscriptionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The checkpoint is after the last event of the log, so it belongs to another ledger or to
    /// a copy of this one that has more events, and resuming from it could skip events.
    case checkpointBeyondLog(checkpoint: UInt64, lastPosition: UInt64)
    /// The log has no event at `position` although its last position is `lastPosition` and
    /// positions have no gaps, so the database is damaged.
    case missingEvent(position: UInt64, lastPosition: UInt64)

    public var description: String {
        switch self {
        case .checkpointBeyondLog(let checkpoint, let lastPosition):
            "the checkpoint \(checkpoint) is after the last event of the ledger, position \(lastPosition); "
                + "use a checkpoint stored for this ledger, or 0 to start at the first event"
        case .missingEvent(let position, let lastPosition):
            "the log has no event at position \(position) although its last position is \(lastPosition); "
                + "the database is damaged, so restore it from a backup"
        }
    }
}
