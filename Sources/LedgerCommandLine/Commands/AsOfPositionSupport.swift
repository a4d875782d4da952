import CustomerLedger
import Foundation

/// The `--as-of-position` option of `customer`, `points` and `tier`: a customer as the log stood
/// at a position, folded from the customer's own events up to it.
extension CommandContext {
    static let asOfPositionOption = ArgumentList.Option.value(
        "--as-of-position", placeholder: "P",
        help: "Show the customer as the log stood at position P: only the customer's events at positions up to P, "
            + "with points and tier evaluated at the latest occurred-at among them. Cannot be combined with --as-of.")

    /// Parses `--as-of-position` and returns its position, or nil without the option. Throws a
    /// ``UsageError`` when the value is not a positive integer or `--as-of` is given too.
    func requestedPosition() throws -> UInt64? {
        guard let text = arguments.string("--as-of-position") else { return nil }
        guard arguments.string("--as-of") == nil else {
            throw UsageError(
                "--as-of and --as-of-position cannot be combined; pass --as-of TIME for an instant "
                    + "or --as-of-position P for a log position")
        }
        guard let position = UInt64(text), position > 0 else {
            throw UsageError("invalid position '\(text)' for --as-of-position; expected a positive integer such as 42")
        }
        return position
    }

    /// Throws a not-found ``CommandFailure`` when `position` is after the last position of the
    /// log, because the result for such a position would change with the next append.
    @available(*, noasync)
    func requireExistingPosition(_ position: UInt64, in ledger: Ledger) throws {
        let last = try ledger.lastPosition()
        guard position <= last else {
            throw CommandFailure(
                "position \(position) not found: the last position in '\(databasePath)' is \(last); "
                    + "pass --as-of-position \(last) or less",
                code: .notFound)
        }
    }

    /// Returns the customer's state as the log stood at `position`. Throws a not-found
    /// ``CommandFailure`` for a position after the end of the log, an unknown customer, or a
    /// customer whose first event comes after `position`, naming that event's position.
    @available(*, noasync)
    func customerState(_ id: CustomerID, asOfPosition position: UInt64, in ledger: Ledger) throws -> CustomerState {
        try requireExistingPosition(position, in: ledger)
        _ = try existingCustomer(id, in: ledger)
        guard let state = try ledger.customer(id, asOfPosition: position) else {
            throw CommandFailure(
                "customer \(id) has no events at or before position \(position); "
                    + "\(try firstPositionText(of: id, in: ledger)), so pass --as-of-position with that position or later",
                code: .notFound)
        }
        return state
    }

    /// Returns where the customer's first event is, such as `its first event is at position 7`.
    @available(*, noasync)
    func firstPositionText(of id: CustomerID, in ledger: Ledger) throws -> String {
        guard let first = try ledger.history(of: id).first else { return "it has no events" }
        return "its first event is at position \(first.position)"
    }
}
