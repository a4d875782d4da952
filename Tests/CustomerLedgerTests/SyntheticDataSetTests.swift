import Foundation
import Testing

@testable import CustomerLedger

@Suite struct SeededGeneratorTests {
    /// The first outputs of xoshiro256** seeded through SplitMix64, from an independent Python
    /// implementation of both algorithms.
    @Test func matchesReferenceOutputs() {
        var zero = SeededGenerator(seed: 0)
        #expect(zero.next() == 0x99ec_5f36_cb75_f2b4)
        #expect(zero.next() == 0xbf6e_1f78_4956_452a)
        #expect(zero.next() == 0x1a5f_849d_4933_e6e0)
        var other = SeededGenerator(seed: 42)
        #expect(other.next() == 0x1578_0b2e_0c2e_c716)
    }

    @Test func boundedDrawsStayInRange() {
        var random = SeededGenerator(seed: 7)
        var seen = Set<Int>()
        for _ in 0..<10_000 {
            let value = random.below(7)
            #expect((0..<7).contains(value))
            seen.insert(value)
        }
        #expect(seen.count == 7)
        for _ in 0..<1_000 {
            #expect((3...5).contains(random.integer(in: 3...5)))
            let unit = random.unit()
            #expect(unit >= 0)
            #expect(unit < 1)
        }
    }

    @Test func weightedIndexSkipsZeroWeights() {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<1_000 {
            #expect(random.weightedIndex([0, 5, 0, 1]) != 0)
            #expect(random.weightedIndex([0, 5, 0, 1]) != 2)
        }
    }
}

@Suite struct SyntheticDataSetTests {
    static let configuration = SyntheticDataSet.Configuration(seed: 1, customerCount: 1_000)
    static let dataSet = try! SyntheticDataSet.generate(configuration)

    @Test func sameSeedGivesIdenticalEvents() throws {
        let again = try SyntheticDataSet.generate(Self.configuration)
        #expect(again.events == Self.dataSet.events)
        #expect(again.digest == Self.dataSet.digest)
        #expect(Set(Self.dataSet.events.map(\.id)).count == Self.dataSet.events.count)
    }

    @Test func differentSeedGivesOtherEvents() throws {
        var configuration = Self.configuration
        configuration.seed = 2
        let other = try SyntheticDataSet.generate(configuration)
        #expect(other.digest != Self.dataSet.digest)
        #expect(Set(other.events.map(\.id)).isDisjoint(with: Self.dataSet.events.map(\.id)))
        let names = Self.registrations(of: Self.dataSet).map(\.profile.name)
        #expect(Self.registrations(of: other).map(\.profile.name) != names)
    }

    /// The counts of this seed and size: a change means the generated data changed, and every
    /// figure quoted from the data set in the README and the demo test must be checked again.
    @Test func countsByTypeOfSeedOne() {
        let counts = Self.dataSet.countsByType
        #expect(counts["CustomerRegistered"] == 1_000)
        #expect(counts["PurchaseRecorded"] == 3_578)
        #expect(counts["RefundRecorded"] == 177)
        #expect(counts["PointsRedeemed"] == 837)
        #expect(counts["PointsAdjusted"] == 61)
        #expect(counts["FeedbackRecorded"] == 854)
        #expect(counts["ProfileUpdated"] == 75)
        #expect(counts.count == 7)
    }

    @Test func eventsAreInAppendOrderWithinThePeriod() {
        let events = Self.dataSet.events
        let start = Self.configuration.startInstant
        let end = Self.configuration.endInstant
        #expect(events.allSatisfy { $0.occurredAt >= start })
        #expect(events.allSatisfy { $0.occurredAt < end })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.occurredAt <= $1.occurredAt })
        #expect(events.allSatisfy { $0.recordedAt == $0.occurredAt })
        #expect(events.allSatisfy { $0.metadata.actor == SyntheticDataSet.actor })
    }

    /// Appending to an encrypted ledger runs every business rule on every event.
    @Test func everyEventPassesTheBusinessRules() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: SyntheticDataSet.program)
        let outcomes = try ledger.append(Self.dataSet.events)
        #expect(outcomes.filter { !$0.wasAppended }.isEmpty)

        let statistics = try ledger.statistics()
        #expect(statistics.customerCount == 1_000)
        let referred = Self.registrations(of: Self.dataSet).filter { $0.referrer != nil }.count
        #expect(referred > 0)
        // Each referred customer who buys pays a reward to both sides, which the ledger derives.
        #expect(statistics.eventsByType["RewardGranted", default: 0] > 0)
        #expect(statistics.eventsByType["RewardGranted", default: 0] <= UInt64(2 * referred))
        #expect(try ledger.verify().isVerified)
        let again = try ledger.append(Self.dataSet.events)
        #expect(again.filter(\.wasAppended).isEmpty)
    }

    /// Encryption seals personal data with random nonces, so only ledgers that keep it in clear
    /// can have equal head hashes.
    @Test func sameSeedGivesSameHeadHash() throws {
        let directory = try TemporaryDirectory()
        var heads: [String] = []
        for (index, seed) in [1, 1, 2].enumerated() {
            var configuration = Self.configuration
            configuration.seed = UInt64(seed)
            configuration.customerCount = 200
            let dataSet = try SyntheticDataSet.generate(configuration)
            var options = Ledger.Options(program: SyntheticDataSet.program, clock: { fixedRecordedAt })
            options.encryptsPersonalData = false
            let ledger = try Ledger(path: directory.path + "/db\(index)", options: options)
            try ledger.append(dataSet.events)
            heads.append(try ledger.head().hash)
        }
        #expect(heads[0] == heads[1])
        #expect(heads[0] != heads[2])
    }

    @Test func provincesAndCitiesAreListed() {
        var provinces = Set<String>()
        for event in Self.dataSet.events {
            switch event.payload {
            case .customerRegistered(let registered):
                let profile = registered.profile
                #expect(SyntheticRegions.contains(province: profile.province, city: profile.city), "\(profile.province) \(profile.city)")
                provinces.insert(profile.province)
            case .profileUpdated(let updated):
                if let province = updated.changes.province {
                    #expect(SyntheticRegions.contains(province: province, city: updated.changes.city ?? ""))
                }
            default:
                break
            }
        }
        #expect(provinces.count >= 15)
        #expect(SyntheticRegions.provinces.count >= 15)
    }

    @Test func profilesLookChinese() {
        let profiles = Self.registrations(of: Self.dataSet).map(\.profile)
        let surnames = Set(SyntheticNames.surnames.map(\.text))
        for profile in profiles {
            #expect((2...4).contains(profile.name.count), "\(profile.name)")
            #expect(surnames.contains(String(profile.name.prefix(1))) || profile.name.hasPrefix("欧阳"), "\(profile.name)")
            #expect(profile.phone.wholeMatch(of: /\+86 1[3-9]\d \d{4} \d{4}/) != nil, "\(profile.phone)")
            #expect(profile.email.isEmpty || profile.email.wholeMatch(of: /[a-z0-9.]+@example\.(com|net|org)/) != nil, "\(profile.email)")
            #expect(profile.address.contains("号"), "\(profile.address)")
            #expect(profile.address.hasSuffix("室"), "\(profile.address)")
        }
        #expect(profiles.filter { $0.email.isEmpty }.count > 0)
    }

    @Test func leapDayBirthdaysPresent() {
        let leapDay = Self.registrations(of: Self.dataSet).filter { $0.profile.birthday?.month == 2 && $0.profile.birthday?.day == 29 }
        // Customers 50, 150, …, 950, and any that the draw put on the day.
        #expect(leapDay.count >= 10)
        #expect(leapDay.allSatisfy { CivilDate.isLeap($0.profile.birthday!.year) })
        let ages = Self.registrations(of: Self.dataSet).compactMap { $0.profile.birthday?.year }
        #expect(ages.allSatisfy { (1957...2005).contains($0) })
    }

    @Test func singlesDayIsThePeak() {
        var perDay: [CivilDate: Int] = [:]
        for event in Self.dataSet.events {
            guard case .purchaseRecorded = event.payload else { continue }
            perDay[SyntheticSeasons.localDate(of: event.occurredAt), default: 0] += 1
        }
        let singlesDay = perDay[CivilDate(year: 2024, month: 11, day: 11)!, default: 0]
        let average = Double(perDay.values.reduce(0, +)) / 731
        #expect(Double(singlesDay) > 5 * average)
        let busiest = perDay.max { $0.value < $1.value }!.key
        #expect(busiest.month == 11)
        #expect(busiest.day == 11)
    }

    @Test func highComplaintRegionsComplainMore() {
        var feedback: [String: (total: Int, complaints: Int)] = [:]
        var province: [CustomerID: String] = [:]
        for event in Self.dataSet.events {
            switch event.payload {
            case .customerRegistered(let registered):
                province[event.customerID] = registered.profile.province
            case .profileUpdated(let updated):
                if let moved = updated.changes.province { province[event.customerID] = moved }
            case .feedbackRecorded(let recorded):
                let group = SyntheticRegions.provinces.first { $0.name == province[event.customerID] }!.complaintPercent >= 180
                    ? "high" : "other"
                feedback[group, default: (0, 0)].total += 1
                if recorded.isComplaint { feedback[group, default: (0, 0)].complaints += 1 }
            default:
                break
            }
        }
        let high = Double(feedback["high"]!.complaints) / Double(feedback["high"]!.total)
        let other = Double(feedback["other"]!.complaints) / Double(feedback["other"]!.total)
        #expect(high > 1.4 * other, "high \(high), other \(other)")
    }

    @Test func bigSpendersAndDormantCustomersExist() throws {
        var spend: [CustomerID: Int64] = [:]
        var lastPurchase: [CustomerID: Timestamp] = [:]
        for event in Self.dataSet.events {
            guard case .purchaseRecorded(let purchase) = event.payload else { continue }
            spend[event.customerID, default: 0] += purchase.amount.minorUnits
            lastPurchase[event.customerID] = event.occurredAt
        }
        let sorted = spend.values.sorted(by: >)
        let topTenth = sorted.prefix(sorted.count / 10).reduce(0, +)
        #expect(Double(topTenth) > 0.4 * Double(sorted.reduce(0, +)))
        let sixMonthsBeforeEnd = Self.configuration.endInstant.adding(days: -180)
        let dormant = lastPurchase.values.filter { $0 < sixMonthsBeforeEnd }.count
        #expect(dormant > lastPurchase.count / 5)
        #expect(spend.count < 1_000)
    }

    @Test func invalidConfigurationsAreRejected() {
        for configuration in [
            SyntheticDataSet.Configuration(customerCount: 0),
            SyntheticDataSet.Configuration(customerCount: 1_000_001),
            SyntheticDataSet.Configuration(customerCount: 10, months: 0),
            SyntheticDataSet.Configuration(customerCount: 10, months: 121),
            SyntheticDataSet.Configuration(customerCount: 10, start: CivilDate(year: 1969, month: 12, day: 31)!),
        ] {
            #expect(throws: SyntheticDataError.self) { try SyntheticDataSet.generate(configuration) }
        }
    }

    @Test func periodEndsAfterItsMonths() {
        #expect(Self.configuration.endDate == CivilDate(year: 2025, month: 1, day: 1))
        let short = SyntheticDataSet.Configuration(customerCount: 1, start: CivilDate(year: 2024, month: 1, day: 31)!, months: 1)
        #expect(short.endDate == CivilDate(year: 2024, month: 2, day: 29))
    }

    static func registrations(of dataSet: SyntheticDataSet) -> [CustomerRegistered] {
        dataSet.events.compactMap { event in
            if case .customerRegistered(let registered) = event.payload { return registered }
            return nil
        }
    }
}
