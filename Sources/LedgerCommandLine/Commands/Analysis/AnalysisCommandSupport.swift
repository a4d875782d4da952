import CustomerLedger
import Foundation

/// Options, checks and output shared by the analysis commands: `segments`, `purchases`,
/// `cohorts`, `regions`, `feedback` and `care`.
extension CommandContext {
    static let fromOption = ArgumentList.Option.value(
        "--from", placeholder: "TIME",
        help: "Start of the period, inclusive: YYYY-MM-DD or ISO 8601 (default: the start of the log).")
    static let toOption = ArgumentList.Option.value(
        "--to", placeholder: "TIME",
        help: "End of the period, exclusive: YYYY-MM-DD or ISO 8601 (default: the end of the log).")
    static let analysisAsOfOption = ArgumentList.Option.value(
        "--as-of", placeholder: "TIME",
        help: "Count the events that occurred at or before this instant: YYYY-MM-DD or ISO 8601 (default: the latest event's occurred-at).")

    /// Parses `--from` and `--to` and throws a ``UsageError`` when `--to` is not later than `--from`.
    func requestedPeriod() throws -> (from: Timestamp?, to: Timestamp?) {
        let from = try instant("--from")
        let to = try instant("--to")
        if let from, let to, to <= from {
            throw UsageError(
                "--to \(Formatting.instant(to)) is not later than --from \(Formatting.instant(from)); "
                    + "the period includes --from and excludes --to, so pass a later --to")
        }
        return (from, to)
    }

    /// Parses the required `--days N`, from 1 to 36,500, with `example` as the fix when it is missing.
    func requiredDays(example: String) throws -> Int {
        guard let days = try arguments.integer("--days", in: 1...36_500) else {
            throw UsageError("missing option '--days N'; name the number of days, as in '\(example)'")
        }
        return days
    }
}

extension Formatting {
    /// Formats a fraction from 0 to 1 as a percentage with one decimal, such as `12.5%`.
    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }

    /// Formats the period of a report, such as `from 1997-01-01 to 1997-04-01 (exclusive)` or `the whole log`.
    static func period(from: Timestamp?, to: Timestamp?) -> String {
        switch (from, to) {
        case (nil, nil): "the whole log"
        case (let from?, nil): "from \(instant(from)) to the end of the log"
        case (nil, let to?): "from the start of the log to \(instant(to)) (exclusive)"
        case (let from?, let to?): "from \(instant(from)) to \(instant(to)) (exclusive)"
        }
    }

    /// Returns the closing line of a report that left out `count` purchases and refunds in other
    /// currencies than `currency`, or an empty string when it left out none.
    static func otherCurrencyNote(_ count: Int, currency: Currency) -> String {
        guard count > 0 else { return "" }
        return "\nleft out \(grouped(count)) purchases and refunds in other currencies than \(currency)\n"
    }

    /// Returns a fraction for JSON, rounded to six decimals so that the output stays short.
    static func jsonFraction(_ fraction: Double) -> JSONValue {
        JSONValue((fraction * 1_000_000).rounded() / 1_000_000)
    }

    /// Returns the current states of `ids`, with personal data as the key and the role allow,
    /// for the name column of a list. It costs one lookup per customer.
    @available(*, noasync)
    static func states(of ids: [CustomerID], in ledger: Ledger) throws -> [CustomerID: CustomerState] {
        var states: [CustomerID: CustomerState] = [:]
        for id in ids {
            if let state = try ledger.customer(id) { states[id] = state }
        }
        return states
    }
}
