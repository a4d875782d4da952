import Foundation
import Testing

@testable import CustomerLedger

/// Local calendar arithmetic against offsets checked with `zdump -v` (tzdata 2025b), which match
/// Foundation's `TimeZone.timeZoneDataVersion` 2025b on the Linux toolchain 6.3.1. Europe/Berlin
/// moves from CET (+01:00) to CEST (+02:00) at 2026-03-29T01:00:00Z and back at 2026-10-25T01:00:00Z.
/// America/New_York is −05:00 in winter, Asia/Shanghai is +08:00 all year, and Pacific/Auckland is
/// +13:00 until 2026-04-04T14:00:00Z and +12:00 from then on.
@Suite struct ZonedCalendarTests {
    private let hour: Int64 = 3_600_000_000

    // MARK: Time zone names

    @Test func unknownZoneErrorText() {
        #expect(throws: ZonedCalendar.Error.unknownTimeZone("Asia/Shangai")) {
            try ZonedCalendar(timeZone: "Asia/Shangai")
        }
        #expect(ZonedCalendar.Error.unknownTimeZone("Asia/Shangai").description
            == "unknown time zone 'Asia/Shangai'; use an IANA name such as Asia/Shanghai or UTC")
    }

    @Test func foundationOnlyNamesRejected() {
        // Foundation maps CST to America/Chicago and reads GMT+8 as UTC+8, unlike IANA's Etc/GMT+8.
        for name in ["CST", "PST", "IST", "GMT+8", "UTC+08:00", "GMT-0500", "", "asia/shanghai", "Local"] {
            #expect(throws: ZonedCalendar.Error.unknownTimeZone(name)) { try ZonedCalendar(timeZone: name) }
        }
    }

    @Test func ianaNamesAccepted() throws {
        for name in ["UTC", "GMT", "GMT+0", "Etc/UTC", "Etc/GMT-8", "Asia/Shanghai", "America/New_York"] {
            #expect(try ZonedCalendar(timeZone: name).identifier == name)
        }
        #expect(try ZonedCalendar(timeZone: "Etc/GMT-8").localTime(of: time("2026-01-01T00:00:00Z")) == (
            CivilDate(year: 2026, month: 1, day: 1)!, 8 * hour))
        #expect(try ZonedCalendar(timeZone: "UTC") == ZonedCalendar(timeZone: "UTC"))
        #expect(try ZonedCalendar(timeZone: "UTC") != ZonedCalendar(timeZone: "Asia/Shanghai"))
    }

    // MARK: UTC

    @Test func utcIsIdentity() throws {
        let calendar = try ZonedCalendar(timeZone: "UTC")
        let instants = [
            time("2026-03-29T01:30:00Z"), time("2024-02-29T23:59:59.999999Z"),
            Timestamp(microseconds: 0), Timestamp(microseconds: -1), time("0001-01-01T00:00:00Z"),
        ]
        for instant in instants {
            let civilDate = instant.civilDate
            let microsecondsOfDay = instant.microseconds - civilDate.daysSinceEpoch * Timestamp.microsecondsPerDay
            #expect(calendar.localTime(of: instant) == (civilDate, microsecondsOfDay))
            #expect(calendar.instant(date: civilDate, microsecondsOfDay: microsecondsOfDay) == instant)
            #expect(calendar.startOfDay(civilDate) == Timestamp(civilDate))
            #expect(calendar.adding(days: 400, to: instant) == instant.adding(days: 400))
            #expect(calendar.adding(days: -1, to: instant) == instant.adding(days: -1))
        }
        #expect(calendar.localTime(of: Timestamp(microseconds: -1)) == (
            CivilDate(year: 1969, month: 12, day: 31)!, Timestamp.microsecondsPerDay - 1))
    }

    // MARK: Month and year ends

    @Test func shanghaiMonthEnd() throws {
        let calendar = try ZonedCalendar(timeZone: "Asia/Shanghai")
        let lastSecondOfJanuary = time("2026-01-31T15:59:59Z")

        #expect(calendar.localTime(of: lastSecondOfJanuary) == (
            CivilDate(year: 2026, month: 1, day: 31)!, 86_399_000_000))
        #expect(calendar.startOfNextMonth(after: lastSecondOfJanuary) == time("2026-01-31T16:00:00Z"))
        #expect(calendar.startOfMonth(containing: lastSecondOfJanuary) == time("2025-12-31T16:00:00Z"))

        let firstInstantOfFebruary = time("2026-01-31T16:00:00Z")
        #expect(calendar.localDate(of: firstInstantOfFebruary) == CivilDate(year: 2026, month: 2, day: 1))
        #expect(calendar.startOfMonth(containing: firstInstantOfFebruary) == firstInstantOfFebruary)
        #expect(calendar.startOfNextMonth(after: firstInstantOfFebruary) == time("2026-02-28T16:00:00Z"))
        #expect(calendar.startOfNextMonth(after: time("2026-12-15T00:00:00Z")) == time("2026-12-31T16:00:00Z"))
    }

    @Test func newYorkYearEnd() throws {
        let calendar = try ZonedCalendar(timeZone: "America/New_York")
        let lastSecondOf2026 = time("2026-12-31T23:59:59-05:00")

        #expect(calendar.localTime(of: time("2027-01-01T04:59:59.999999Z")) == (
            CivilDate(year: 2026, month: 12, day: 31)!, Timestamp.microsecondsPerDay - 1))
        #expect(calendar.startOfNextYear(after: lastSecondOf2026) == time("2027-01-01T05:00:00Z"))
        #expect(calendar.startOfYear(containing: lastSecondOf2026) == time("2026-01-01T05:00:00Z"))
        // A summer instant (EDT, −04:00) ends the same year at the same winter midnight.
        #expect(calendar.startOfNextYear(after: time("2026-07-04T12:00:00Z")) == time("2027-01-01T05:00:00Z"))
        // 2027-01-01T03:00:00Z is still 22:00 on 31 December in New York.
        #expect(calendar.startOfYear(containing: time("2027-01-01T03:00:00Z")) == time("2026-01-01T05:00:00Z"))
        #expect(calendar.startOfYear(containing: time("2027-01-01T05:00:00Z")) == time("2027-01-01T05:00:00Z"))
        #expect(calendar.startOfNextYear(after: time("2028-06-01T12:00:00Z")) == time("2029-01-01T05:00:00Z"))
    }

    // MARK: Days across offset changes

    @Test func berlinSpringDayIs23Hours() throws {
        let calendar = try ZonedCalendar(timeZone: "Europe/Berlin")
        let saturdayNoon = time("2026-03-28T11:00:00Z")
        let sundayNoon = calendar.adding(days: 1, to: saturdayNoon)

        #expect(sundayNoon == time("2026-03-29T10:00:00Z"))
        #expect(sundayNoon.microseconds - saturdayNoon.microseconds == 23 * hour)
        #expect(calendar.adding(days: -1, to: sundayNoon) == saturdayNoon)
        #expect(calendar.startOfDay(CivilDate(year: 2026, month: 3, day: 29)!) == time("2026-03-28T23:00:00Z"))
        #expect(calendar.startOfDay(CivilDate(year: 2026, month: 3, day: 30)!) == time("2026-03-29T22:00:00Z"))
    }

    @Test func berlinAutumnDayIs25Hours() throws {
        let calendar = try ZonedCalendar(timeZone: "Europe/Berlin")
        let saturdayNoon = time("2026-10-24T10:00:00Z")
        let sundayNoon = calendar.adding(days: 1, to: saturdayNoon)

        #expect(sundayNoon == time("2026-10-25T11:00:00Z"))
        #expect(sundayNoon.microseconds - saturdayNoon.microseconds == 25 * hour)
        #expect(calendar.startOfDay(CivilDate(year: 2026, month: 10, day: 25)!) == time("2026-10-24T22:00:00Z"))
        #expect(calendar.startOfDay(CivilDate(year: 2026, month: 10, day: 26)!) == time("2026-10-25T23:00:00Z"))
    }

    @Test func berlinGapMovesForward() throws {
        let calendar = try ZonedCalendar(timeZone: "Europe/Berlin")
        let changeDay = CivilDate(year: 2026, month: 3, day: 29)!

        // 02:30 does not exist, so it becomes 03:30 CEST.
        let halfPastTwo = calendar.instant(date: changeDay, microsecondsOfDay: 2 * hour + hour / 2)
        #expect(halfPastTwo == time("2026-03-29T01:30:00Z"))
        #expect(calendar.localTime(of: halfPastTwo) == (changeDay, 3 * hour + hour / 2))

        #expect(calendar.instant(date: changeDay, microsecondsOfDay: 2 * hour) == time("2026-03-29T01:00:00Z"))
        #expect(calendar.instant(date: changeDay, microsecondsOfDay: 2 * hour - 1)
            == time("2026-03-29T00:59:59.999999Z"))
        #expect(calendar.instant(date: changeDay, microsecondsOfDay: 3 * hour) == time("2026-03-29T01:00:00Z"))

        // Saturday 02:30 CET plus one day lands in the gap.
        #expect(calendar.adding(days: 1, to: time("2026-03-28T01:30:00Z")) == time("2026-03-29T01:30:00Z"))
    }

    @Test func berlinOverlapTakesEarlier() throws {
        let calendar = try ZonedCalendar(timeZone: "Europe/Berlin")
        let changeDay = CivilDate(year: 2026, month: 10, day: 25)!

        // 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
        #expect(calendar.instant(date: changeDay, microsecondsOfDay: 2 * hour + hour / 2) == time("2026-10-25T00:30:00Z"))
        #expect(calendar.localTime(of: time("2026-10-25T00:30:00Z")) == (changeDay, 2 * hour + hour / 2))
        #expect(calendar.localTime(of: time("2026-10-25T01:30:00Z")) == (changeDay, 2 * hour + hour / 2))
        #expect(calendar.instant(date: changeDay, microsecondsOfDay: 3 * hour) == time("2026-10-25T02:00:00Z"))
    }

    @Test func addingDaysKeepsOffsetInOverlap() throws {
        let calendar = try ZonedCalendar(timeZone: "Europe/Berlin")
        let secondHalfPastTwo = time("2026-10-25T01:30:00Z")

        #expect(calendar.adding(days: 0, to: secondHalfPastTwo) == secondHalfPastTwo)
        #expect(calendar.adding(months: 0, to: secondHalfPastTwo) == secondHalfPastTwo)
        // 02:30 CET a week later, back by a week, keeps CET.
        #expect(calendar.adding(days: -7, to: time("2026-11-01T01:30:00Z")) == secondHalfPastTwo)
        // 02:30 CEST a week earlier, forward by a week, keeps CEST.
        #expect(calendar.adding(days: 7, to: time("2026-10-18T00:30:00Z")) == time("2026-10-25T00:30:00Z"))
    }

    @Test func dayBoundariesOfInstant() throws {
        let calendar = try ZonedCalendar(timeZone: "Europe/Berlin")
        let sundayNoon = time("2026-03-29T10:00:00Z")

        #expect(calendar.startOfDay(containing: sundayNoon) == time("2026-03-28T23:00:00Z"))
        #expect(calendar.startOfNextDay(after: sundayNoon) == time("2026-03-29T22:00:00Z"))
        #expect(calendar.startOfDay(containing: time("2026-03-28T23:00:00Z")) == time("2026-03-28T23:00:00Z"))
        #expect(calendar.startOfDay(containing: time("2026-03-28T22:59:59.999999Z")) == time("2026-03-27T23:00:00Z"))
    }

    @Test func microsecondsOfDayCarry() throws {
        let calendar = try ZonedCalendar(timeZone: "Asia/Shanghai")
        let date = CivilDate(year: 2026, month: 1, day: 31)!

        #expect(calendar.instant(date: date, microsecondsOfDay: Timestamp.microsecondsPerDay) == time("2026-01-31T16:00:00Z"))
        #expect(calendar.instant(date: date, microsecondsOfDay: -1) == time("2026-01-30T15:59:59.999999Z"))
        #expect(calendar.instant(date: date, microsecondsOfDay: 49 * hour) == time("2026-02-02T01:00:00+08:00"))
    }

    // MARK: Gaps at midnight

    @Test func skippedDayInApia() throws {
        // Samoa skipped 2011-12-30: 23:59:59 on the 29th (−10:00) was followed by 00:00 on the 31st (+14:00).
        let calendar = try ZonedCalendar(timeZone: "Pacific/Apia")
        let skipped = CivilDate(year: 2011, month: 12, day: 30)!

        #expect(calendar.localDate(of: time("2011-12-30T09:59:59Z")) == CivilDate(year: 2011, month: 12, day: 29))
        #expect(calendar.localDate(of: time("2011-12-30T10:00:00Z")) == CivilDate(year: 2011, month: 12, day: 31))
        #expect(calendar.startOfDay(skipped) == time("2011-12-30T10:00:00Z"))
        #expect(calendar.startOfDay(CivilDate(year: 2011, month: 12, day: 31)!) == time("2011-12-30T10:00:00Z"))
        #expect(calendar.instant(date: skipped, microsecondsOfDay: 12 * hour) == time("2011-12-30T22:00:00Z"))
        #expect(calendar.adding(days: 1, to: time("2011-12-29T22:00:00Z")) == time("2011-12-30T22:00:00Z"))
    }

    @Test func midnightInsideGap() throws {
        // Toronto skipped 23:30 EST to 00:30 EDT at 1919-03-31T04:30:00Z, so that day began at 00:30.
        let calendar = try ZonedCalendar(timeZone: "America/Toronto")
        let changeDay = CivilDate(year: 1919, month: 3, day: 31)!

        #expect(calendar.startOfDay(changeDay) == time("1919-03-31T04:30:00Z"))
        // The last microsecond before a change at a negative epoch second still has the old offset.
        #expect(calendar.localTime(of: time("1919-03-31T04:29:59.999999Z")) == (
            CivilDate(year: 1919, month: 3, day: 30)!, 23 * hour + 29 * 60_000_000 + 59_999_999))
        #expect(calendar.localTime(of: time("1919-03-31T04:30:00Z")) == (changeDay, hour / 2))
        // Midnight as a wall time moves forward by the 60-minute gap to 01:00 EDT.
        #expect(calendar.instant(date: changeDay, microsecondsOfDay: 0) == time("1919-03-31T05:00:00Z"))
    }

    @Test func midnightAtGapStart() throws {
        // São Paulo skipped 00:00 to 01:00 at 2018-11-04T03:00:00Z.
        let calendar = try ZonedCalendar(timeZone: "America/Sao_Paulo")
        let changeDay = CivilDate(year: 2018, month: 11, day: 4)!

        #expect(calendar.startOfDay(changeDay) == time("2018-11-04T03:00:00Z"))
        #expect(calendar.startOfNextMonth(after: time("2018-10-31T12:00:00Z")) == time("2018-11-01T03:00:00Z"))
        #expect(calendar.startOfNextDay(after: time("2018-11-03T12:00:00Z")) == time("2018-11-04T03:00:00Z"))
    }

    // MARK: Date line

    @Test func aucklandLocalDate() throws {
        let calendar = try ZonedCalendar(timeZone: "Pacific/Auckland")

        // NZDT, +13:00: New Year arrives while it is still 31 December in UTC.
        #expect(calendar.localTime(of: time("2025-12-31T10:59:59Z")) == (
            CivilDate(year: 2025, month: 12, day: 31)!, 86_399_000_000))
        #expect(calendar.localTime(of: time("2025-12-31T11:00:00Z")) == (CivilDate(year: 2026, month: 1, day: 1)!, 0))
        #expect(calendar.startOfNextYear(after: time("2025-12-31T10:59:59Z")) == time("2025-12-31T11:00:00Z"))

        // NZST, +12:00.
        #expect(calendar.localDate(of: time("2026-06-30T11:59:59Z")) == CivilDate(year: 2026, month: 6, day: 30))
        #expect(calendar.localDate(of: time("2026-06-30T12:00:00Z")) == CivilDate(year: 2026, month: 7, day: 1))
        #expect(calendar.startOfNextMonth(after: time("2026-06-15T00:00:00Z")) == time("2026-06-30T12:00:00Z"))
    }

    // MARK: Months

    @Test func addingMonthsClampsDay() throws {
        let calendar = try ZonedCalendar(timeZone: "Asia/Shanghai")

        #expect(calendar.adding(months: 1, to: time("2026-01-31T10:00:00+08:00")) == time("2026-02-28T10:00:00+08:00"))
        #expect(calendar.adding(months: 1, to: time("2028-01-31T10:00:00+08:00")) == time("2028-02-29T10:00:00+08:00"))
        #expect(calendar.adding(months: -1, to: time("2026-03-31T10:00:00+08:00")) == time("2026-02-28T10:00:00+08:00"))
        #expect(calendar.adding(months: 12, to: time("2028-02-29T23:30:00+08:00")) == time("2029-02-28T23:30:00+08:00"))
        #expect(calendar.adding(months: 13, to: time("2026-12-31T00:00:00+08:00")) == time("2028-01-31T00:00:00+08:00"))
        #expect(calendar.adding(months: -14, to: time("2026-01-15T00:00:00+08:00")) == time("2024-11-15T00:00:00+08:00"))
        #expect(calendar.adding(months: 2, to: time("2026-01-30T00:00:00+08:00")) == time("2026-03-30T00:00:00+08:00"))
        #expect(calendar.adding(months: 12 * 400, to: time("2000-02-29T00:00:00+08:00")) == time("2400-02-29T00:00:00+08:00"))
    }

    @Test func addingMonthsAcrossOffsetChange() throws {
        let calendar = try ZonedCalendar(timeZone: "Europe/Berlin")

        #expect(calendar.adding(months: 1, to: time("2026-02-28T12:00:00+01:00")) == time("2026-03-28T12:00:00+01:00"))
        #expect(calendar.adding(months: 2, to: time("2026-02-28T12:00:00+01:00")) == time("2026-04-28T12:00:00+02:00"))
        #expect(calendar.adding(months: 1, to: time("2026-02-28T12:00:00+01:00")).microseconds
            - time("2026-02-28T12:00:00+01:00").microseconds == 28 * 24 * hour)
    }

    // MARK: Birthdays

    @Test func leapDayBirthdays() {
        let leapDay = CivilDate(year: 2000, month: 2, day: 29)!

        #expect(ZonedCalendar.birthdayOccurrence(of: leapDay, in: 2027, leapDayInCommonYears: .february28)
            == CivilDate(year: 2027, month: 2, day: 28))
        #expect(ZonedCalendar.birthdayOccurrence(of: leapDay, in: 2027, leapDayInCommonYears: .march1)
            == CivilDate(year: 2027, month: 3, day: 1))
        #expect(ZonedCalendar.birthdayOccurrence(of: leapDay, in: 2028, leapDayInCommonYears: .february28)
            == CivilDate(year: 2028, month: 2, day: 29))
        #expect(ZonedCalendar.birthdayOccurrence(of: leapDay, in: 2028, leapDayInCommonYears: .march1)
            == CivilDate(year: 2028, month: 2, day: 29))
        #expect(ZonedCalendar.birthdayOccurrence(of: leapDay, in: 2100, leapDayInCommonYears: .march1)
            == CivilDate(year: 2100, month: 3, day: 1))
    }

    @Test func ordinaryBirthdays() {
        let birthday = CivilDate(year: 1990, month: 2, day: 28)!

        #expect(ZonedCalendar.birthdayOccurrence(of: birthday, in: 2028, leapDayInCommonYears: .march1)
            == CivilDate(year: 2028, month: 2, day: 28))
        #expect(ZonedCalendar.birthdayOccurrence(of: birthday, in: 10_000, leapDayInCommonYears: .march1) == nil)
        #expect(ZonedCalendar.birthdayOccurrence(of: birthday, in: 0, leapDayInCommonYears: .february28) == nil)
        #expect(ZonedCalendar.LeapDayRule(rawValue: "march1") == .march1)
    }

    // MARK: Ends of the Timestamp range

    @Test func saturatesAtRangeEnds() throws {
        let maximum = Timestamp(microseconds: .max)
        let minimum = Timestamp(microseconds: .min)

        for name in ["UTC", "Asia/Shanghai", "America/New_York"] {
            let calendar = try ZonedCalendar(timeZone: name)
            #expect(calendar.adding(days: 1, to: maximum) == maximum)
            #expect(calendar.adding(days: -1, to: minimum) == minimum)
            #expect(calendar.adding(days: .max, to: minimum) == maximum)
            #expect(calendar.adding(days: .min, to: maximum) == minimum)
            #expect(calendar.adding(days: .max, to: maximum) == maximum)
            #expect(calendar.adding(days: .min, to: minimum) == minimum)
            #expect(calendar.adding(months: 1, to: maximum) == maximum)
            #expect(calendar.adding(months: .max, to: minimum) == maximum)
            #expect(calendar.adding(months: .min, to: maximum) == minimum)
            #expect(calendar.adding(months: .max, to: maximum) == maximum)
            #expect(calendar.adding(months: .min, to: minimum) == minimum)
            #expect(calendar.startOfNextYear(after: maximum) == maximum)
            #expect(calendar.startOfNextMonth(after: maximum) == maximum)
            #expect(calendar.startOfYear(containing: minimum) == minimum)
            #expect(calendar.startOfDay(containing: minimum) == minimum)
        }

        let utc = try ZonedCalendar(timeZone: "UTC")
        #expect(utc.localDate(of: maximum) == maximum.civilDate)
        #expect(utc.localDate(of: minimum) == minimum.civilDate)
        #expect(utc.adding(days: 1, to: Timestamp.supportedRange.upperBound)
            == Timestamp(microseconds: Timestamp.supportedRange.upperBound.microseconds + Timestamp.microsecondsPerDay))
    }
}
