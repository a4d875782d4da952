/// Names, phones, emails, birthdays and addresses of synthetic customers.
enum SyntheticProfiles {
    /// Customers whose id leaves this remainder modulo 100 are born on 29 February. At the
    /// natural rate of about 1 in 1,461, small data sets would have no such birthday to test.
    static let leapDayRemainder: UInt64 = 50

    static func profile(
        customerID: CustomerID, province: SyntheticRegions.Province, city: SyntheticRegions.City, periodStart: CivilDate,
        random: inout SeededGenerator
    ) -> CustomerProfile {
        let (name, pinyin) = name(random: &random)
        return CustomerProfile(
            name: name, phone: phone(random: &random), email: email(pinyin: pinyin, random: &random),
            birthday: birthday(customerID: customerID, periodStart: periodStart, random: &random),
            province: province.name, city: city.name, address: address(in: city, random: &random))
    }

    /// Returns a name, a surname and one or two given-name characters, with its pinyin as
    /// surname and given name, such as `("王雪梅", ("wang", "xuemei"))`.
    static func name(random: inout SeededGenerator) -> (String, (surname: String, given: String)) {
        let surname = SyntheticNames.surnames[random.weightedIndex(SyntheticNames.surnameWeights)]
        var given = random.element(of: SyntheticNames.givenCharacters)
        if random.chance(0.7) {
            let second = random.element(of: SyntheticNames.givenCharacters)
            given = (given.text + second.text, given.pinyin + second.pinyin)
        }
        return (surname.text + given.text, (surname.pinyin, given.pinyin))
    }

    /// Returns a mainland mobile number such as `+86 138 1234 5678`.
    static func phone(random: inout SeededGenerator) -> String {
        let prefix = random.element(of: SyntheticNames.mobilePrefixes)
        return "+86 \(prefix) \(digits(4, random: &random)) \(digits(4, random: &random))"
    }

    /// Returns an email address at a reserved example domain, made from the pinyin of the name.
    static func email(pinyin: (surname: String, given: String), random: inout SeededGenerator) -> String {
        let domain = random.element(of: SyntheticNames.emailDomains)
        switch random.below(3) {
        case 0: return "\(pinyin.surname)\(pinyin.given)\(random.integer(in: 1...99))@\(domain)"
        case 1: return "\(pinyin.given).\(pinyin.surname)@\(domain)"
        default: return "\(pinyin.surname).\(pinyin.given)\(random.integer(in: 60...99))@\(domain)"
        }
    }

    /// Returns an email address made from a member number, for a customer who gives one later,
    /// because the pinyin of the name is not kept.
    static func memberEmail(random: inout SeededGenerator) -> String {
        "member\(digits(8, random: &random))@\(random.element(of: SyntheticNames.emailDomains))"
    }

    /// Returns a birthday of someone 18 to 65 years old at the start of the period, or 29 February
    /// of a leap year for the customers that ``leapDayRemainder`` selects.
    static func birthday(customerID: CustomerID, periodStart: CivilDate, random: inout SeededGenerator) -> CivilDate {
        var year = periodStart.year - random.integer(in: 18...65)
        if customerID.rawValue % 100 == leapDayRemainder {
            while !CivilDate.isLeap(year) { year -= 1 }
            return CivilDate(year: year, month: 2, day: 29)!
        }
        let month = random.integer(in: 1...12)
        let day = random.integer(in: 1...CivilDate.daysIn(month: month, year: year))
        return CivilDate(year: year, month: month, day: day)!
    }

    /// Returns a street address in `city` without province and city, which the profile keeps
    /// apart, such as `天河区中山路88号阳光花园3栋1202室`.
    static func address(in city: SyntheticRegions.City, random: inout SeededGenerator) -> String {
        let district = random.element(of: city.districts)
        let road = random.element(of: SyntheticNames.roads)
        let compound = random.element(of: SyntheticNames.compounds)
        let number = random.integer(in: 1...999)
        let building = random.integer(in: 1...30)
        let room = random.integer(in: 1...32) * 100 + random.integer(in: 1...4)
        return "\(district)\(road)\(number)号\(compound)\(building)栋\(room)室"
    }

    private static func digits(_ count: Int, random: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<count { text.append(Character(Unicode.Scalar(UInt8(48 + random.below(10))))) }
        return text
    }
}
