import CustomerLedger
import Dispatch
import Foundation

/// `ledger follow`: prints each event after a position as it is committed, until interrupted.
///
/// With `--checkpoint-file`, each event is written to standard output with `write(2)` first and
/// its position is stored in the file afterwards. A follower killed at any instant therefore
/// leaves a checkpoint equal to the last complete line it printed, or to the line before it.
/// A restart from that checkpoint prints every later event, so at most the one event printed
/// but not checkpointed appears twice, and the killed run's output may end in a partial line.
enum FollowCommand: Subcommand {
    static let name = "follow"
    static let syntax = ArgumentList.Syntax(
        command: "ledger follow",
        summary: "Print each event after a position as it is committed, until interrupted.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write one JSON object per event per line (JSON Lines), as 'history --json' does."),
            .value(
                "--after", placeholder: "P",
                help: "Start after position P (default: 0, the first event). An existing checkpoint file takes precedence."),
            .value(
                "--checkpoint-file", placeholder: "FILE",
                help: "Start after the position stored in FILE when it exists, and store each event's position in FILE after printing it."),
            .value(
                "--until-idle", placeholder: "SECONDS",
                help: "Exit with status 0 once no event has arrived for SECONDS, such as 2 or 0.5 (default: never)."),
        ])

    /// How often the follower reads the ledger for events appended by other processes.
    static let pollInterval = Duration.milliseconds(50)

    static func run(_ context: CommandContext) throws {
        let after = try context.arguments.integer("--after", in: 0...)
        let idleLimit = try parseIdleLimit(context.arguments.string("--until-idle"))
        var checkpointFile: CheckpointFile?
        if let path = context.arguments.string("--checkpoint-file") {
            guard !path.isEmpty else { throw UsageError("option '--checkpoint-file' expects a file path, got an empty string") }
            checkpointFile = CheckpointFile(path: path)
        }

        let storedCheckpoint = try checkpointFile?.read()
        let ledger = try context.openExistingLedger()
        let start = storedCheckpoint ?? UInt64(after ?? 0)
        // The subscription rejects such a start too, but only here can the message name its source.
        let lastLogPosition = try ledger.lastPosition()
        if start > lastLogPosition, let checkpointFile, storedCheckpoint != nil {
            throw CommandFailure(
                "the checkpoint \(start) in '\(checkpointFile.path)' is after the last event of the ledger, position \(lastLogPosition); "
                    + "use the checkpoint file of this ledger, or delete it to start from --after",
                code: .dataError)
        }
        if start > lastLogPosition {
            throw CommandFailure(
                "--after \(start) is after the last event of the ledger, position \(lastLogPosition); pass a position from 0 to \(lastLogPosition)",
                code: .dataError)
        }
        // A new checkpoint file is created before anything is printed, so that an unwritable
        // path fails at once rather than after the first event.
        if let checkpointFile, storedCheckpoint == nil { try checkpointFile.write(start) }

        let origin = storedCheckpoint != nil ? " (from the checkpoint file '\(checkpointFile!.path)')" : ""
        Console.error("ledger follow: following '\(context.databasePath)' after position \(start)\(origin)\n")

        let follower = Follower(
            subscription: ledger.subscribe(after: start, pollInterval: pollInterval), writesJSON: context.wantsJSON,
            checkpointFile: checkpointFile, idleLimit: idleLimit)
        let (stop, lastPrinted) = try follower.runUntilStopped()

        let ending = lastPrinted.map { "after position \($0)" } ?? "before any event arrived"
        switch stop {
        case .idle: Console.error("ledger follow: stopped \(ending): no event for \(context.arguments.string("--until-idle")!) s\n")
        case .interrupted: Console.error("ledger follow: stopped \(ending): interrupted\n")
        }
    }

    /// Parses `--until-idle`: a positive, finite number of seconds.
    static func parseIdleLimit(_ text: String?) throws -> Duration? {
        guard let text else { return nil }
        guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 31_536_000 else {
            throw UsageError(
                "option '--until-idle' expects a number of seconds greater than 0 and at most 31536000, such as 2 or 0.5, got '\(text)'")
        }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// Returns the line printed for `event`: its JSON object, or a one-line summary with the
    /// position, occurred-at, customer, version, type and what changed.
    static func line(for event: RecordedEvent, json: Bool) -> String {
        if json { return JSONWriter(style: .compact).string(for: Formatting.json(event)) + "\n" }
        return "\(event.position)  \(Formatting.instant(event.occurredAt))  customer \(event.customerID) v\(event.version)"
            + "  \(event.typeName)  \(Formatting.summary(event))\n"
    }
}

/// The reason `ledger follow` stopped.
enum FollowStop: Sendable {
    /// No event arrived within `--until-idle`.
    case idle
    /// SIGINT or SIGTERM arrived. The event being printed was finished and checkpointed first.
    case interrupted
}

/// Prints the events of a subscription and stores their positions, on a task of its own, while
/// the calling thread waits.
struct Follower: Sendable {
    let subscription: LedgerSubscription
    let writesJSON: Bool
    let checkpointFile: CheckpointFile?
    let idleLimit: Duration?

    /// Follows until the idle limit passes or SIGINT or SIGTERM arrives, and returns why it
    /// stopped and the position of the last event printed, if any. After the first signal, a
    /// second one of the same kind ends the process at once, with the default action.
    ///
    /// - throws: ``CommandFailure`` when writing standard output or the checkpoint file fails or
    ///   the checkpoint does not fit the ledger, and the subscription's errors otherwise.
    @available(*, noasync)
    func runUntilStopped() throws -> (FollowStop, UInt64?) {
        let activity = FollowActivity()
        let finished = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        let task = Task {
            do {
                outcome.store(.success(try await follow(activity)))
            } catch {
                outcome.store(.failure(error))
            }
            finished.signal()
        }

        let signalSources = [SIGINT, SIGTERM].map { number in
            // The default action would end the process before the Dispatch source runs, so the
            // signal is ignored and the source alone handles it.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                signal(number, SIG_DFL)
                task.cancel()
            }
            source.resume()
            return source
        }
        defer {
            for source in signalSources { source.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }

        finished.wait()
        let stop = try outcome.result().get()
        return (stop, activity.lastPosition)
    }

    /// Consumes the subscription and, with an idle limit, races it against an idle timer whose
    /// expiry cancels the consumer. The consumer prints and checkpoints an event it has received
    /// before it looks at cancellation again, so stopping never drops a received event.
    private func follow(_ activity: FollowActivity) async throws -> FollowStop {
        try await withThrowingTaskGroup(of: FollowStop.self) { group in
            group.addTask {
                try await consume(activity)
                return .interrupted
            }
            if let idleLimit {
                group.addTask { await waitUntilIdle(activity, limit: idleLimit) }
            }
            let first = try await group.next() ?? .interrupted
            group.cancelAll()
            // Wait for the consumer, so that its last event is checkpointed before returning.
            while try await group.next() != nil {}
            return first
        }
    }

    private func consume(_ activity: FollowActivity) async throws {
        do {
            for try await event in subscription {
                let line = FollowCommand.line(for: event, json: writesJSON)
                do {
                    try FileDescriptorOutput.writeAll(Array(line.utf8), to: STDOUT_FILENO)
                } catch let error as POSIXError {
                    throw CommandFailure(
                        "cannot write event \(event.position) to standard output: \(String(cString: strerror(error.code.rawValue)))",
                        code: .ioError)
                }
                do {
                    try checkpointFile?.write(event.position)
                } catch let failure as CommandFailure {
                    throw CommandFailure(
                        failure.message + ". Event \(event.position) was printed but not checkpointed, so a restart prints it again",
                        code: failure.code)
                }
                activity.record(event.position)
            }
        } catch let error as SubscriptionError {
            throw CommandFailure(error.description, code: .dataError)
        }
    }

    /// Returns `.idle` once no event has arrived for `limit`, or `.interrupted` when cancelled.
    private func waitUntilIdle(_ activity: FollowActivity, limit: Duration) async -> FollowStop {
        while !Task.isCancelled {
            let deadline = activity.lastActivity + limit
            if ContinuousClock.now >= deadline { return .idle }
            try? await Task.sleep(until: deadline, clock: .continuous)
        }
        return .interrupted
    }
}

/// The last event the follower printed and when, shared by the consumer and the idle timer.
final class FollowActivity: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var lastInstant = ContinuousClock.now
    private var position: UInt64?

    /// When the last event was printed, or when following started.
    var lastActivity: ContinuousClock.Instant {
        lock.lock()
        defer { lock.unlock() }
        return lastInstant
    }

    var lastPosition: UInt64? {
        lock.lock()
        defer { lock.unlock() }
        return position
    }

    func record(_ position: UInt64) {
        lock.lock()
        lastInstant = .now
        self.position = position
        lock.unlock()
    }
}

/// The result of the following task, handed to the thread that waits for it.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var stored: Result<FollowStop, any Error>?

    func store(_ result: Result<FollowStop, any Error>) {
        lock.lock()
        stored = result
        lock.unlock()
    }

    /// Returns the stored result. Call it only after the task has signalled that it finished.
    func result() -> Result<FollowStop, any Error> {
        lock.lock()
        defer { lock.unlock() }
        return stored!
    }
}
