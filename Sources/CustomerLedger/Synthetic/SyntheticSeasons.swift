/// The shopping seasons of the synthetic data set: how busy each day is, in China Standard Time.
///
/// The peaks are Singles' Day (11 November, with the presales from 1 November), the 618 sale
/// (18 June), 双十二 (12 December), the three weeks before the Spring Festival and the weeks
/// before the Mid-Autumn Festival, when tea gift sets sell. Shops ship little in the Spring
/// Festival week. The lunar festivals are looked up in a table of the years 2015 to 2030, so
/// other years have no lunar peaks.
enum SyntheticSeasons {
    /// The offset of China Standard Time from UTC. China has kept it all year since 1992.
    static let utcOffsetSeconds: Int64 = 8 * 3600

    /// The largest value ``weight(of:)`` returns.
    static let maximumWeight = 900

    /// Returns how busy `day` is, in percent of an ordinary day.
    static func weight(of day: CivilDate) -> Int {
        switch (day.month, day.day) {
        case (11, 11): return 900
        case (11, 1...10): return 250
        case (11, 12...13): return 150
        case (6, 18): return 400
        case (6, 1...17): return 150
        case (12, 12): return 250
        default: break
        }
        if let days = daysUntilSpringFestival(day) {
            if (1...21).contains(days) { return 220 }
            if (-6...0).contains(days) { return 60 }
        }
        if let days = daysUntilMidAutumn(day), (1...20).contains(days) { return 160 }
        return 100
    }

    /// Returns true in the weeks after Singles' Day and before the Spring Festival, when parcels
    /// are late and complaints about delivery pile up.
    static func isDeliveryPeak(_ day: CivilDate) -> Bool {
        if day.month == 11 && day.day >= 11 || day.month == 12 && day.day <= 10 { return true }
        if let days = daysUntilSpringFestival(day), (0...14).contains(days) { return true }
        return false
    }

    /// Returns true in the presale and sale days of Singles' Day, 618 and 双十二, when orders of
    /// 300 CNY or more get 40 CNY off per 300 CNY.
    static func isSale(_ day: CivilDate) -> Bool {
        switch (day.month, day.day) {
        case (11, 1...11), (6, 1...18), (12, 12): true
        default: false
        }
    }

    /// Returns the days from `day` to the next Spring Festival (0 on the day itself, negative
    /// after it in the same lunar year), or nil outside the table.
    static func daysUntilSpringFestival(_ day: CivilDate) -> Int64? {
        daysUntil(day, festivals: springFestivals)
    }

    /// Returns the days from `day` to the Mid-Autumn Festival of its year, or nil outside the table.
    static func daysUntilMidAutumn(_ day: CivilDate) -> Int64? {
        daysUntil(day, festivals: midAutumnFestivals)
    }

    /// Returns the days from `day` to the festival in `festivals` that is nearest to it.
    private static func daysUntil(_ day: CivilDate, festivals: [Int: CivilDate]) -> Int64? {
        let today = day.daysSinceEpoch
        var nearest: Int64?
        for year in [day.year, day.year + 1] {
            guard let festival = festivals[year] else { continue }
            let days = festival.daysSinceEpoch - today
            if nearest.map({ abs(days) < abs($0) }) ?? true { nearest = days }
        }
        return nearest
    }

    /// The first day of the lunar year (春节) in the Gregorian calendar.
    static let springFestivals: [Int: CivilDate] = festivalTable([
        (2015, 2, 19), (2016, 2, 8), (2017, 1, 28), (2018, 2, 16), (2019, 2, 5), (2020, 1, 25), (2021, 2, 12),
        (2022, 2, 1), (2023, 1, 22), (2024, 2, 10), (2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26),
        (2029, 2, 13), (2030, 2, 3),
    ])

    /// The 15th day of the 8th lunar month (中秋节) in the Gregorian calendar.
    static let midAutumnFestivals: [Int: CivilDate] = festivalTable([
        (2015, 9, 27), (2016, 9, 15), (2017, 10, 4), (2018, 9, 24), (2019, 9, 13), (2020, 10, 1), (2021, 9, 21),
        (2022, 9, 10), (2023, 9, 29), (2024, 9, 17), (2025, 10, 6), (2026, 9, 25), (2027, 9, 15), (2028, 10, 3),
        (2029, 9, 22), (2030, 9, 12),
    ])

    private static func festivalTable(_ dates: [(Int, Int, Int)]) -> [Int: CivilDate] {
        var table: [Int: CivilDate] = [:]
        for (year, month, day) in dates { table[year] = CivilDate(year: year, month: month, day: day)! }
        return table
    }

    /// Returns the instant of `secondsOfDay` after midnight China Standard Time on `day`.
    static func instant(_ day: CivilDate, secondsOfDay: Int64) -> Timestamp {
        Timestamp(microseconds: Timestamp(day).microseconds + (secondsOfDay - utcOffsetSeconds) * 1_000_000)
    }

    /// Returns the date in China Standard Time of `instant`.
    static func localDate(of instant: Timestamp) -> CivilDate {
        Timestamp(microseconds: instant.microseconds + utcOffsetSeconds * 1_000_000).civilDate
    }
}
