import CustomerLedger
import Foundation

/// Options, checks and output shared by the loyalty commands: `points`, `tier`, `liability`,
/// `rewards` and `simulate`.
extension CommandContext {
    static let actorOption = ArgumentList.Option.value(
        "--actor", placeholder: "NAME", help: "Who makes the change, recorded on every event (default: $USER).")

    /// The actor recorded on written events: `--actor`, else `USER`, else `ledger`, as `ledger import` does.
    var actor: String {
        arguments.string("--actor") ?? ProcessInfo.processInfo.environment["USER"] ?? "ledger"
    }

    /// Throws a data error when `minorUnits`, the value of `points` points, or the points
    /// themselves reached a bound of `Int64`. The library saturates a figure that does not fit,
    /// and a capped figure must not be printed as if it were exact.
    static func requireExactValue(_ minorUnits: Int64, of points: Int64, label: String, currency: Currency) throws {
        let bounds: [Int64] = [.max, .min, -.max]
        guard bounds.contains(minorUnits) || points == .max || points == .min else { return }
        throw CommandFailure(
            "the value of \(label) is beyond \(Formatting.money(.max, currency)), the range of 64-bit minor units, so it cannot be shown exactly; lower the program's point value or the points it awards",
            code: .dataError)
    }

    /// Parses the time given to `option`, such as `--until`, or returns nil without the option.
    /// Throws a ``UsageError`` naming the option and the accepted forms.
    func instant(_ option: String) throws -> Timestamp? {
        guard let text = arguments.string(option) else { return nil }
        guard let instant = Timestamp(parsing: text) else {
            throw UsageError(
                "invalid time '\(text)' for \(option); expected YYYY-MM-DD or an ISO 8601 time such as 2024-03-01T08:00:00Z")
        }
        return instant
    }

    /// Parses the time given to `option` and throws a ``UsageError`` when it is missing, with
    /// `example` as the fix.
    func requiredInstant(_ option: String, example: String) throws -> Timestamp {
        guard let instant = try instant(option) else {
            throw UsageError("missing option '\(option) TIME'; this command writes events, so name the instant, as in '\(example)'")
        }
        return instant
    }

    /// Throws a ``UsageError`` when `instant` is later than the current time. Commands that write
    /// events as of an instant call it, because events written ahead of time, such as points
    /// expired early, cannot be taken back.
    func rejectFutureInstant(_ instant: Timestamp, option: String) throws {
        let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        guard instant <= now else {
            throw UsageError(
                "\(option) \(instant) is in the future (now \(Timestamp(seconds: now.microseconds / 1_000_000))); "
                    + "events written ahead of time cannot be taken back, so pass an instant that has passed")
        }
    }

    /// Returns the customer's stored state, or throws a not-found ``CommandFailure`` naming the
    /// customer and the ledger.
    @available(*, noasync)
    func existingCustomer(_ id: CustomerID, in ledger: Ledger) throws -> CustomerState {
        guard let state = try ledger.customer(id) else {
            throw CommandFailure("customer \(id) not found in '\(databasePath)'", code: .notFound)
        }
        return state
    }

    /// Throws a not-found ``CommandFailure`` when the customer registered after `instant`, which
    /// the user gave with `option` or left at its default.
    func requireRegistered(_ state: CustomerState, asOf instant: Timestamp, option: String) throws {
        guard state.registeredAt <= instant else {
            throw CommandFailure(
                "customer \(state.customerID) was not registered as of \(Formatting.instant(instant)); "
                    + "registered \(Formatting.instant(state.registeredAt)), so pass \(option) \(Formatting.instant(state.registeredAt)) or later",
                code: .notFound)
        }
    }
}

extension Formatting {
    /// Formats a count of points with grouped digits, such as `1,234 points`.
    static func points(_ value: Int64) -> String {
        count(value, "point")
    }

    /// Formats a share of a total as a percentage with one decimal, such as `12.5%`.
    static func share(_ part: Int, of total: Int) -> String {
        String(format: "%.1f%%", Double(part) * 100 / Double(max(1, total)))
    }

    /// Formats an optional instant, or `never` for nil.
    static func instantOrNever(_ timestamp: Timestamp?) -> String {
        timestamp.map(instant) ?? "never"
    }

    /// Writes label and value lines with the labels padded to one width: two columns more than
    /// the longest label, or `labelWidth` when that is wider.
    static func labelled(_ lines: [(String, String)], labelWidth: Int = 0) -> String {
        let width = max(labelWidth, (lines.map { $0.0.displayWidth }.max() ?? 0) + 2)
        return lines.map { $0.0.padded(toDisplayWidth: width) + $0.1 + "\n" }.joined()
    }

    static func json(_ money: Int64, _ currency: Currency) -> JSONValue {
        json(Money(minorUnits: money, currency: currency))
    }
}

/// The output of the commands that append events computed by the ledger, such as expired points.
enum MaterializedOutput {
    /// Writes what `result` appended, as text or JSON: events, customers and points.
    static func report(
        _ result: MaterializedEvents, type: EventType, verb: String, asOf instant: Timestamp, context: CommandContext
    ) {
        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)), ("event_type", .string(type.description)),
                ("events", JSONValue(result.events)), ("customers", JSONValue(result.customers.count)),
                ("points", JSONValue(result.points)),
            ]))
            return
        }
        Console.out(
            "wrote \(Formatting.count(result.events, "\(type) event")) for \(Formatting.count(result.customers.count, "customer")): "
                + "\(Formatting.points(result.points)) \(verb) as of \(Formatting.instant(instant))\n")
    }
}
