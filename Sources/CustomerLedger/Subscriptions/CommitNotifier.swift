import Dispatch
import Foundation

/// Wakes the tasks that wait for new events when an append of this process commits.
///
/// Each ``notify()`` increments a generation counter and resumes every waiter. A waiter reads
/// the generation before it reads the log and passes it to ``wait(afterGeneration:timeout:)``,
/// so a commit between the read and the wait makes the wait return at once instead of being
/// missed. Commits of other processes are not seen here: waiters also wake when `timeout`
/// passes and then read the log again.
final class CommitNotifier: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var generationValue: UInt64 = 0
    private var nextWaiterID: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]

    /// The number of commits notified so far.
    var generation: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return generationValue
    }

    /// Records a commit and resumes every waiting task. `Ledger.append` calls it after the
    /// write transaction has committed, never while it is open.
    func notify() {
        lock.lock()
        generationValue &+= 1
        let resumed = waiters
        waiters.removeAll()
        lock.unlock()
        for continuation in resumed.values { continuation.resume() }
    }

    /// Suspends until a commit after `seen` is notified, `timeout` passes or the task is cancelled,
    /// whichever comes first. Returns at once when one of them has already happened.
    func wait(afterGeneration seen: UInt64, timeout: Duration) async {
        let id = reserveWaiterID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.lock()
                // The cancellation flag is set before the handler below runs, and the handler
                // takes the lock, so a cancellation is seen either here or by the handler.
                guard generationValue == seen, !Task.isCancelled else {
                    lock.unlock()
                    continuation.resume()
                    return
                }
                waiters[id] = continuation
                lock.unlock()
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval) { [self] in
                    resumeWaiter(id)
                }
            }
        } onCancel: {
            resumeWaiter(id)
        }
    }

    /// The number of tasks currently suspended in ``wait(afterGeneration:timeout:)``, for tests.
    var waiterCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return waiters.count
    }

    private func reserveWaiterID() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        nextWaiterID &+= 1
        return nextWaiterID
    }

    /// Resumes one waiter if it is still suspended. The timer, the cancellation handler and
    /// ``notify()`` may all try, and only the first one resumes it.
    private func resumeWaiter(_ id: UInt64) {
        lock.lock()
        let continuation = waiters.removeValue(forKey: id)
        lock.unlock()
        continuation?.resume()
    }
}

extension Duration {
    /// The duration in seconds, for Dispatch deadlines.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
