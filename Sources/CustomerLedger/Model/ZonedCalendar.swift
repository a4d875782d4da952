import Foundation

/// Calendar arithmetic in one IANA time zone, for loyalty rules: points pending for N days,
/// expiry at the end of a month or year, per-day caps and birthdays.
///
/// Foundation's `TimeZone` supplies only the UTC offset at an instant. The calendar arithmetic
/// runs on `CivilDate` day numbers, so results are exact to the microsecond. The offsets come from
/// the time zone data that Foundation ships with (ICU's copy on Linux), whose version can differ
/// from the system's tzdata.
///
/// A local wall time can be missing or repeated when the offset changes:
/// - In a gap, such as 02:30 in Europe/Berlin on 2026-03-29 when clocks jump from 02:00 CET to
///   03:00 CEST, the wall time moves forward by the length of the gap (to 03:30 CEST).
///   `startOfDay(_:)` returns the first instant after the gap instead.
/// - In an overlap, such as 02:30 in Europe/Berlin on 2026-10-25 when clocks fall back from
///   03:00 CEST to 02:00 CET, the earlier instant wins (02:30 CEST). `adding(days:to:)` and
///   `adding(months:to:)` keep the starting instant's offset when it is one of the two, so adding
///   zero returns the instant unchanged.
///
/// Results beyond the range of `Timestamp` saturate to `Int64.min` or `Int64.max` microseconds.
public struct ZonedCalendar: Sendable, Equatable {
    /// The time zone name as passed to `init(timeZone:)`, such as `Asia/Shanghai` or `UTC`.
    public let identifier: String
    private let timeZone: TimeZone
    /// True for UTC and its aliases, whose offset is always 0, so lookups are skipped.
    private let isUTC: Bool

    /// Creates a calendar for an IANA time zone name such as `Asia/Shanghai`, `Europe/Berlin` or `UTC`.
    ///
    /// Throws `Error.unknownTimeZone` for names that Foundation does not know. It also rejects two
    /// kinds of names that Foundation accepts but the IANA database does not contain. Abbreviations
    /// such as `CST` are ambiguous, and Foundation maps `CST` to America/Chicago, not to China.
    /// Offsets such as `GMT+8` have the opposite sign of IANA's `Etc/GMT+8`, which is UTC−8.
    public init(timeZone identifier: String) throws(Error) {
        guard !Self.isFoundationOnlyName(identifier), let timeZone = TimeZone(identifier: identifier) else {
            throw .unknownTimeZone(identifier)
        }
        self.identifier = identifier
        self.timeZone = timeZone
        isUTC = ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu", "GMT+0", "GMT-0"]
            .contains(identifier)
    }

    /// A time zone name that `init(timeZone:)` rejected.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case unknownTimeZone(String)

        public var description: String {
            switch self {
            case .unknownTimeZone(let identifier):
                "unknown time zone '\(identifier)'; use an IANA name such as Asia/Shanghai or UTC"
            }
        }
    }

    /// The rule that moves a 29 February birthday into a year without that day.
    public enum LeapDayRule: String, Sendable {
        case february28
        case march1
    }

    // MARK: Local dates and times

    /// Returns the local calendar date of `instant`.
    public func localDate(of instant: Timestamp) -> CivilDate {
        localTime(of: instant).date
    }

    /// Returns the local calendar date of `instant` and the local wall time as microseconds since
    /// local midnight, in `0..<86_400_000_000`.
    public func localTime(of instant: Timestamp) -> (date: CivilDate, microsecondsOfDay: Int64) {
        let (day, microsecondsOfDay) = localDayAndTime(of: instant.microseconds)
        return (CivilDate(daysSinceEpoch: day), microsecondsOfDay)
    }

    /// Returns the instant of a local wall time on `date`.
    ///
    /// A wall time in a gap moves forward by the length of the gap. A repeated wall time in an
    /// overlap resolves to the earlier instant. `microsecondsOfDay` outside `0..<86_400_000_000`
    /// carries into the previous or following days, so 24:00 is midnight of the next day.
    public func instant(date: CivilDate, microsecondsOfDay: Int64) -> Timestamp {
        let perDay = Timestamp.microsecondsPerDay
        let carriedDays = microsecondsOfDay.floorDivided(by: perDay)
        let timeOfDay = (microsecondsOfDay % perDay + perDay) % perDay
        return instant(localDay: date.daysSinceEpoch + carriedDays, microsecondsOfDay: timeOfDay,
                       preferredOffset: nil)
    }

    // MARK: Day, month and year boundaries

    /// Returns the first instant of the local day `date`: local midnight, or the first instant
    /// after a gap that skips midnight.
    public func startOfDay(_ date: CivilDate) -> Timestamp {
        startOfLocalDay(date.daysSinceEpoch)
    }

    /// Returns the first instant of the local day that contains `instant`.
    public func startOfDay(containing instant: Timestamp) -> Timestamp {
        startOfLocalDay(localDayAndTime(of: instant.microseconds).day)
    }

    /// Returns the first instant of the local day after the one that contains `instant`, which is
    /// when a per-day cap resets.
    public func startOfNextDay(after instant: Timestamp) -> Timestamp {
        startOfLocalDay(localDayAndTime(of: instant.microseconds).day + 1)
    }

    /// Returns the first instant of the local month that contains `instant`.
    public func startOfMonth(containing instant: Timestamp) -> Timestamp {
        let date = localDate(of: instant)
        return startOfLocalDay(date.daysSinceEpoch - Int64(date.day - 1))
    }

    /// Returns the first instant of the local month after the one that contains `instant`, which
    /// is when an expiry at the end of that month takes effect.
    public func startOfNextMonth(after instant: Timestamp) -> Timestamp {
        let date = localDate(of: instant)
        let daysLeftInMonth = CivilDate.daysIn(month: date.month, year: date.year) - date.day + 1
        return startOfLocalDay(date.daysSinceEpoch + Int64(daysLeftInMonth))
    }

    /// Returns the first instant of the local year that contains `instant`.
    public func startOfYear(containing instant: Timestamp) -> Timestamp {
        let date = localDate(of: instant)
        return startOfLocalDay(date.daysSinceEpoch - Int64(Self.dayOfYear(date) - 1))
    }

    /// Returns the first instant of the local year after the one that contains `instant`, which
    /// is when an expiry at the end of that year takes effect.
    public func startOfNextYear(after instant: Timestamp) -> Timestamp {
        let date = localDate(of: instant)
        let daysInYear = CivilDate.isLeap(date.year) ? 366 : 365
        return startOfLocalDay(date.daysSinceEpoch + Int64(daysInYear - Self.dayOfYear(date) + 1))
    }

    // MARK: Adding calendar units

    /// Returns the instant at the same local wall time `days` calendar days later, or earlier for
    /// a negative count.
    ///
    /// A day across a change of offset is longer or shorter than 24 hours: in Europe/Berlin, one
    /// day from 12:00 on 2026-03-28 is 23 hours. Gaps and overlaps resolve as described on the type.
    public func adding(days: Int64, to instant: Timestamp) -> Timestamp {
        let (day, microsecondsOfDay) = localDayAndTime(of: instant.microseconds)
        let (targetDay, overflow) = day.addingReportingOverflow(days)
        guard !overflow else { return Self.saturated(towardPositive: days > 0) }
        return self.instant(localDay: targetDay, microsecondsOfDay: microsecondsOfDay,
                            preferredOffset: offset(at: instant.microseconds))
    }

    /// Returns the instant at the same local wall time `months` calendar months later, or earlier
    /// for a negative count.
    ///
    /// The day of the month is clamped to the length of the target month, so 31 January plus one
    /// month is 28 or 29 February. Gaps and overlaps resolve as described on the type.
    public func adding(months: Int, to instant: Timestamp) -> Timestamp {
        let (day, microsecondsOfDay) = localDayAndTime(of: instant.microseconds)
        let date = CivilDate(daysSinceEpoch: day)
        let monthIndex = Int64(date.year) * 12 + Int64(date.month - 1)
        let (targetIndex, overflow) = monthIndex.addingReportingOverflow(Int64(months))
        guard !overflow else { return Self.saturated(towardPositive: months > 0) }

        let year = targetIndex.floorDivided(by: 12)
        let month = Int(targetIndex - year * 12) + 1
        // Every Timestamp lies within about 292,277 years of 1970, so later or earlier years saturate.
        guard (-300_000...300_000).contains(year) else { return Self.saturated(towardPositive: year > 0) }

        let targetDay = min(date.day, CivilDate.daysIn(month: month, year: Int(year)))
        return self.instant(localDay: Self.daysSinceEpoch(year: Int(year), month: month, day: targetDay),
                            microsecondsOfDay: microsecondsOfDay, preferredOffset: offset(at: instant.microseconds))
    }

    // MARK: Birthdays

    /// Returns the date on which a `birthday` falls in `year`, or nil when `year` is outside
    /// 1...9999, the years that `CivilDate` accepts.
    ///
    /// A 29 February birthday falls on 28 February or 1 March in a common year, as `leapDay` selects.
    public static func birthdayOccurrence(of birthday: CivilDate, in year: Int,
                                          leapDayInCommonYears leapDay: LeapDayRule) -> CivilDate? {
        guard birthday.month == 2, birthday.day == 29, !CivilDate.isLeap(year) else {
            return CivilDate(year: year, month: birthday.month, day: birthday.day)
        }
        switch leapDay {
        case .february28: return CivilDate(year: year, month: 2, day: 28)
        case .march1: return CivilDate(year: year, month: 3, day: 1)
        }
    }

    // MARK: Offsets and wall-time resolution

    /// Returns the UTC offset in microseconds at an instant given in microseconds since the epoch.
    private func offset(at instant: Int64) -> Int64 {
        if isUTC { return 0 }
        // Offsets change on whole seconds. Whole seconds of any Int64 microsecond count fit a
        // Double exactly, so the lookup cannot land on the wrong side of a change.
        let seconds = instant.floorDivided(by: 1_000_000)
        return Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))) * 1_000_000
    }

    /// Returns the local day number (days since 1970-01-01) and the microseconds since local
    /// midnight of an instant. Adding the offset to the time of day, not to the instant, keeps it
    /// from overflowing at the ends of the range.
    private func localDayAndTime(of instant: Int64) -> (day: Int64, microsecondsOfDay: Int64) {
        let perDay = Timestamp.microsecondsPerDay
        var day = instant.floorDivided(by: perDay)
        var microsecondsOfDay = (instant % perDay + perDay) % perDay + offset(at: instant)
        // Offsets are shorter than a day, so one step in either direction normalizes the time.
        if microsecondsOfDay < 0 {
            microsecondsOfDay += perDay
            day -= 1
        } else if microsecondsOfDay >= perDay {
            microsecondsOfDay -= perDay
            day += 1
        }
        return (day, microsecondsOfDay)
    }

    /// Converts a local wall time to an instant. In an overlap it returns the candidate with
    /// `preferredOffset` when there is one, else the earlier instant.
    private func instant(localDay: Int64, microsecondsOfDay: Int64, preferredOffset: Int64?) -> Timestamp {
        guard let local = Self.localMicroseconds(day: localDay, microsecondsOfDay: microsecondsOfDay) else {
            return Self.saturated(towardPositive: localDay > 0)
        }
        let offsets = offsetsAround(local: local)
        let earlier = local.subtractingSaturated(offsets.before)
        let later = local.subtractingSaturated(offsets.after)
        let earlierIsValid = offset(at: earlier) == offsets.before
        let laterIsValid = offset(at: later) == offsets.after

        switch (earlierIsValid, laterIsValid) {
        case (true, true):
            // An overlap when the offsets differ, else both candidates are the same instant.
            if let preferredOffset, preferredOffset == offsets.after, preferredOffset != offsets.before {
                return Timestamp(microseconds: later)
            }
            return Timestamp(microseconds: min(earlier, later))
        case (true, false):
            return Timestamp(microseconds: earlier)
        case (false, true):
            return Timestamp(microseconds: later)
        case (false, false):
            // A gap: reading the wall time with the offset from before the gap moves it forward by
            // the length of the gap.
            return Timestamp(microseconds: earlier)
        }
    }

    /// Returns the first instant of a local day, or the first instant after a gap that skips its
    /// midnight.
    private func startOfLocalDay(_ localDay: Int64) -> Timestamp {
        guard let local = Self.localMicroseconds(day: localDay, microsecondsOfDay: 0) else {
            return Self.saturated(towardPositive: localDay > 0)
        }
        let offsets = offsetsAround(local: local)
        let earlier = local.subtractingSaturated(offsets.before)
        let later = local.subtractingSaturated(offsets.after)
        let earlierIsValid = offset(at: earlier) == offsets.before
        let laterIsValid = offset(at: later) == offsets.after

        switch (earlierIsValid, laterIsValid) {
        case (true, true): return Timestamp(microseconds: min(earlier, later))
        case (true, false): return Timestamp(microseconds: earlier)
        case (false, true): return Timestamp(microseconds: later)
        case (false, false):
            // In a gap the offset jumps forward somewhere in (later, earlier]. Midnight can lie
            // inside the gap rather than at its start, so search for the change itself.
            return Timestamp(microseconds: firstInstantOfNewOffset(after: later, atOrBefore: earlier))
        }
    }

    /// Returns the offsets one day before and one day after `local` read as UTC.
    ///
    /// Every valid reading of `local` lies within a day of it, because offsets stay below 24
    /// hours. So the two offsets are the only candidates when the offset changes at most once in
    /// that window of two days.
    /// NOTE: a zone that changed its offset twice within two days, which tzdata records for a few
    /// historical dates, can resolve a wall time near those changes to a wrong instant.
    private func offsetsAround(local: Int64) -> (before: Int64, after: Int64) {
        let perDay = Timestamp.microsecondsPerDay
        return (offset(at: local.subtractingSaturated(perDay)), offset(at: local.addingSaturated(perDay)))
    }

    /// Returns the first whole second, in microseconds, in `(lower, upper]` whose offset differs
    /// from the offset at `lower`. The offset at `upper` must differ from it.
    private func firstInstantOfNewOffset(after lower: Int64, atOrBefore upper: Int64) -> Int64 {
        let oldOffset = offset(at: lower)
        var low = lower.floorDivided(by: 1_000_000)
        var high = upper.floorDivided(by: 1_000_000)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle * 1_000_000) == oldOffset {
                low = middle
            } else {
                high = middle
            }
        }
        return high * 1_000_000
    }

    // MARK: Day arithmetic

    /// Returns the wall time as microseconds since 1970-01-01T00:00 local time, or nil when it
    /// does not fit in Int64.
    private static func localMicroseconds(day: Int64, microsecondsOfDay: Int64) -> Int64? {
        let (start, overflow) = day.multipliedReportingOverflow(by: Timestamp.microsecondsPerDay)
        let (sum, sumOverflow) = start.addingReportingOverflow(microsecondsOfDay)
        return overflow || sumOverflow ? nil : sum
    }

    private static func saturated(towardPositive: Bool) -> Timestamp {
        Timestamp(microseconds: towardPositive ? .max : .min)
    }

    /// Returns the day of the year of `date`, from 1.
    private static func dayOfYear(_ date: CivilDate) -> Int {
        var day = date.day
        for month in 1..<date.month {
            day += CivilDate.daysIn(month: month, year: date.year)
        }
        return day
    }

    /// Returns the days since 1970-01-01 of a valid day in any proleptic Gregorian year, including
    /// years outside the 1...9999 that `CivilDate(year:month:day:)` accepts.
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        // Each 400-year cycle has 146,097 days and repeats the same leap years, so shift the
        // year into 2000...2399 and add back whole cycles.
        let cycles = Int64(year - 2000).floorDivided(by: 400)
        let shiftedYear = year - Int(cycles) * 400
        let shifted = CivilDate(year: shiftedYear, month: month, day: day)!
        return shifted.daysSinceEpoch + cycles * 146_097
    }

    /// Returns whether Foundation would accept `identifier` although the IANA database does not
    /// contain it: an abbreviation other than UTC and GMT, or an offset such as `GMT+8` or `UTC-0500`.
    private static func isFoundationOnlyName(_ identifier: String) -> Bool {
        if identifier == "UTC" || identifier == "GMT" { return false }
        if TimeZone.abbreviationDictionary[identifier] != nil { return true }
        // IANA's own GMT+0 and GMT-0 are aliases of GMT.
        if identifier == "GMT+0" || identifier == "GMT-0" { return false }
        return ["GMT+", "GMT-", "UTC+", "UTC-"].contains { identifier.hasPrefix($0) }
    }
}

extension Int64 {
    /// Returns `self + other`, or the nearer bound of `Int64` when the sum does not fit.
    func addingSaturated(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// Returns `self - other`, or the nearer bound of `Int64` when the difference does not fit.
    func subtractingSaturated(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other < 0 ? .max : .min
    }
}
