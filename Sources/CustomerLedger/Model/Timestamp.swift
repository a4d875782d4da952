/// An instant in UTC, in whole microseconds since 1970-01-01T00:00:00Z.
///
/// Callers pass business times in, and the ledger never reads the clock for them.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Creates the instant `seconds` after the epoch, clamped to the range of `Int64` microseconds.
    public init(seconds: Int64) {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if !overflow {
            microseconds = product
        } else if seconds < 0 {
            microseconds = .min
        } else {
            microseconds = .max
        }
    }

    /// The instants the ledger accepts as occurred-at and recorded-at times: the years 1 to 9999 UTC.
    public static let supportedRange =
        Timestamp(microseconds: -62_135_596_800_000_000)...Timestamp(microseconds: 253_402_300_799_999_999)

    /// Creates the instant at the start of `date` in UTC.
    public init(_ date: CivilDate) {
        microseconds = date.daysSinceEpoch * Self.microsecondsPerDay
    }

    public static let microsecondsPerDay: Int64 = 86_400_000_000

    /// The calendar day of this instant in UTC.
    public var civilDate: CivilDate {
        CivilDate(daysSinceEpoch: microseconds.floorDivided(by: Self.microsecondsPerDay))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Returns the instant `days` whole days later (earlier for a negative count), clamped to the
    /// range of `Int64` microseconds.
    public func adding(days: Int64) -> Timestamp {
        let (offset, overflow) = days.multipliedReportingOverflow(by: Self.microsecondsPerDay)
        let (sum, sumOverflow) = microseconds.addingReportingOverflow(offset)
        guard !overflow, !sumOverflow else { return Timestamp(microseconds: days < 0 ? .min : .max) }
        return Timestamp(microseconds: sum)
    }

    /// The instant in ISO 8601 form, `2024-03-01T08:30:00Z`, with a fraction only when it is not zero.
    public var description: String {
        let day = microseconds.floorDivided(by: Self.microsecondsPerDay)
        var inDay = microseconds % Self.microsecondsPerDay
        if inDay < 0 { inDay += Self.microsecondsPerDay }
        let seconds = inDay / 1_000_000
        let fraction = inDay % 1_000_000
        var text = CivilDate(daysSinceEpoch: day).description
        text += "T" + Self.twoDigits(seconds / 3600) + ":" + Self.twoDigits(seconds / 60 % 60) + ":"
            + Self.twoDigits(seconds % 60)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// Parses `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, or the same with a
    /// `+HH:MM` or `-HH:MM` offset. A space may replace the `T`. Returns nil for anything else,
    /// including impossible dates.
    public init?(parsing text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 10, let date = CivilDate(parsing: String(decoding: utf8[0..<10], as: UTF8.self)) else {
            return nil
        }

        var micros = date.daysSinceEpoch * Self.microsecondsPerDay
        if utf8.count == 10 {
            self.init(microseconds: micros)
            return
        }
        guard utf8.count >= 20, utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: " "),
            utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"),
            let hour = Self.number(utf8[11..<13]), let minute = Self.number(utf8[14..<16]),
            let second = Self.number(utf8[17..<19]), hour < 24, minute < 60, second < 60
        else { return nil }
        micros += (hour * 3600 + minute * 60 + second) * 1_000_000

        var index = 19
        if utf8[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            var fraction: Int64 = 0
            while index < utf8.count, utf8[index] >= 0x30, utf8[index] <= 0x39 {
                guard digits < 6 else { return nil }
                fraction = fraction * 10 + Int64(utf8[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<6 { fraction *= 10 }
            micros += fraction
        }

        let zone = utf8[index...]
        if zone.elementsEqual("Z".utf8) {
            self.init(microseconds: micros)
            return
        }
        guard zone.count == 6, zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-"),
            zone[zone.startIndex + 3] == UInt8(ascii: ":"),
            let offsetHours = Self.number(zone[(zone.startIndex + 1)..<(zone.startIndex + 3)]),
            let offsetMinutes = Self.number(zone[(zone.startIndex + 4)..<(zone.startIndex + 6)]),
            offsetHours <= 18, offsetMinutes < 60
        else { return nil }
        let offset = (offsetHours * 3600 + offsetMinutes * 60) * 1_000_000
        self.init(microseconds: zone.first == UInt8(ascii: "+") ? micros - offset : micros + offset)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        for digit in digits {
            guard digit >= 0x30, digit <= 0x39 else { return nil }
            value = value * 10 + Int64(digit - 0x30)
        }
        return value
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

extension Int64 {
    /// Returns the quotient rounded toward negative infinity.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
