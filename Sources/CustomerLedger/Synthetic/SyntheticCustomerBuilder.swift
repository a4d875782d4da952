/// The shopping habit that decides how often a synthetic customer buys and for how long.
enum SyntheticPersona: Int, CaseIterable {
    /// Buys about 1.5 times a month with large baskets, and mostly stays to the end of the period.
    case loyal
    /// Buys about every two months, and half of them go quiet.
    case regular
    /// Buys a few times a year, and most go quiet within a year.
    case occasional
    /// Buys once.
    case oneTime
    /// Registers and never buys.
    case browser

    /// The share of customers in percent, in case order.
    static let weights = [7, 23, 37, 25, 8]

    /// Purchases per 30 active days, in thousandths.
    var monthlyPurchaseRate: Int {
        switch self {
        case .loyal: 1500
        case .regular: 550
        case .occasional: 180
        case .oneTime, .browser: 0
        }
    }

    /// The chance of rating a purchase without complaining.
    var feedbackChance: Double {
        switch self {
        case .loyal: 0.22
        case .regular: 0.14
        case .occasional, .oneTime, .browser: 0.1
        }
    }

    /// The chance of trying to redeem points after a purchase.
    var redemptionChance: Double {
        switch self {
        case .loyal: 0.4
        case .regular: 0.25
        case .occasional: 0.12
        case .oneTime, .browser: 0
        }
    }
}

/// The inputs that every customer's builder shares: the configuration and the customers built so
/// far who may refer later ones.
struct SyntheticCustomerContext {
    let configuration: SyntheticDataSet.Configuration
    /// Loyal and regular customers, in id order, who may refer later customers.
    var referrers: [CustomerID] = []

    init(configuration: SyntheticDataSet.Configuration) {
        self.configuration = configuration
    }

    mutating func record(_ builder: SyntheticCustomerBuilder) {
        if builder.persona == .loyal || builder.persona == .regular { referrers.append(builder.customerID) }
    }
}

/// Builds the events of one synthetic customer in time order and checks each against the
/// business rules in the shared projection workspace.
struct SyntheticCustomerBuilder {
    let customerID: CustomerID
    let registeredAt: Timestamp
    let context: SyntheticCustomerContext
    let program: LoyaltyProgram
    var random: SeededGenerator
    let persona: SyntheticPersona

    /// An event planned at an instant, before the rules check it.
    private struct Planned {
        enum Kind {
            case event(EventPayload)
            /// A redemption of the largest reward that the balance at that instant allows, if any.
            case redemption
        }

        let occurredAt: Timestamp
        let kind: Kind
    }

    private var plan: [Planned] = []
    private var province: SyntheticRegions.Province
    private var city: SyntheticRegions.City
    /// The first instant after the customer's last purchase can happen: the end of the period,
    /// or earlier for a customer who goes quiet.
    private var activeUntil: Timestamp

    init(customerID: CustomerID, registeredAt: Timestamp, context: SyntheticCustomerContext, program: LoyaltyProgram) {
        self.customerID = customerID
        self.registeredAt = registeredAt
        self.context = context
        self.program = program
        var random = SeededGenerator(seed: context.configuration.seed, stream: customerID.rawValue)
        persona = SyntheticPersona(rawValue: random.weightedIndex(SyntheticPersona.weights))!
        let provinces = SyntheticRegions.provinces
        province = provinces[random.weightedIndex(provinces.map(\.weight))]
        city = province.cities[random.weightedIndex(province.cities.map(\.weight))]
        activeUntil = context.configuration.endInstant
        self.random = random
    }

    /// Plans the customer's events, checks them in time order and appends those that pass to `output`.
    mutating func build(into workspace: inout ProjectionWorkspace, output: inout [SyntheticCustomerEvent]) throws(SyntheticDataError) {
        planRegistration()
        planActivity()
        planPurchases()
        try check(into: &workspace, output: &output)
    }

    // MARK: - Registration and profile

    private mutating func planRegistration() {
        var profile = SyntheticProfiles.profile(
            customerID: customerID, province: province, city: city, periodStart: context.configuration.start,
            random: &random)
        if random.chance(0.15) { profile.email = "" }
        var referrer: CustomerID?
        if !context.referrers.isEmpty, random.chance(0.12) { referrer = random.element(of: context.referrers) }
        let registered = CustomerRegistered(profile: profile, referrer: referrer)
        plan.append(Planned(occurredAt: registeredAt, kind: .event(.customerRegistered(registered))))
        if profile.email.isEmpty, random.chance(0.4) {
            let changes = ProfileChanges(email: SyntheticProfiles.memberEmail(random: &random))
            plan.append(Planned(occurredAt: instant(afterDays: 7...300), kind: .event(.profileUpdated(ProfileUpdated(changes: changes)))))
        }
        if random.chance(0.03) {
            let changes = ProfileChanges(phone: SyntheticProfiles.phone(random: &random))
            plan.append(Planned(occurredAt: instant(afterDays: 30...600), kind: .event(.profileUpdated(ProfileUpdated(changes: changes)))))
        }
    }

    /// Decides when a customer goes quiet, and plans a move to another province for some.
    private mutating func planActivity() {
        let quietChance: Double
        let quietDays: ClosedRange<Int>
        switch persona {
        case .loyal: (quietChance, quietDays) = (0.15, 180...540)
        case .regular: (quietChance, quietDays) = (0.45, 60...540)
        case .occasional: (quietChance, quietDays) = (0.65, 30...360)
        case .oneTime, .browser: (quietChance, quietDays) = (0, 0...0)
        }
        if random.chance(quietChance) {
            let quiet = instant(afterDays: quietDays)
            if quiet < activeUntil { activeUntil = quiet }
        }
        guard persona != .browser, random.chance(0.07) else { return }
        let movedAt = instant(afterDays: 30...400)
        guard movedAt < activeUntil else { return }
        let provinces = SyntheticRegions.provinces
        var newProvince = province
        while newProvince.name == province.name {
            newProvince = provinces[random.weightedIndex(provinces.map(\.weight))]
        }
        let newCity = newProvince.cities[random.weightedIndex(newProvince.cities.map(\.weight))]
        let changes = ProfileChanges(
            province: newProvince.name, city: newCity.name,
            address: SyntheticProfiles.address(in: newCity, random: &random))
        plan.append(Planned(occurredAt: movedAt, kind: .event(.profileUpdated(ProfileUpdated(changes: changes)))))
        movedTo = (movedAt, newProvince, newCity)
    }

    /// The move planned by ``planActivity()``, which changes the stores and complaint rates of
    /// later purchases.
    private var movedTo: (at: Timestamp, province: SyntheticRegions.Province, city: SyntheticRegions.City)?

    // MARK: - Purchases and what follows them

    private mutating func planPurchases() {
        guard persona != .browser else { return }
        var instants: [Timestamp] = []
        // Most customers buy on the day they register, the others within three weeks.
        let first = random.chance(0.6)
            ? Timestamp(microseconds: registeredAt.microseconds + Int64(random.integer(in: 600...7200)) * 1_000_000)
            : instant(afterDays: 1...20)
        guard first < activeUntil else { return }
        instants.append(first)

        let firstDay = SyntheticSeasons.localDate(of: first).daysSinceEpoch + 1
        let lastDay = SyntheticSeasons.localDate(of: activeUntil).daysSinceEpoch
        if persona != .oneTime, lastDay > firstDay {
            let expected = persona.monthlyPurchaseRate * Int(lastDay - firstDay) / 30
            let count = (expected * (500 + random.below(1001)) / 1000 + 500) / 1000
            for _ in 0..<count {
                let instant = seasonalInstant(fromDay: firstDay, toDay: lastDay)
                if instant < activeUntil { instants.append(instant) }
            }
        }
        instants.sort()
        for (index, instant) in instants.enumerated() { planPurchase(number: index + 1, at: instant) }
    }

    /// Returns an instant on a day in `fromDay..<toDay`, picked in proportion to the day's
    /// season weight, at a shopping hour.
    private mutating func seasonalInstant(fromDay: Int64, toDay: Int64) -> Timestamp {
        var day: CivilDate
        repeat {
            day = CivilDate(daysSinceEpoch: fromDay + Int64(random.below(Int(toDay - fromDay))))
        } while random.below(SyntheticSeasons.maximumWeight) >= SyntheticSeasons.weight(of: day)
        // Singles' Day sales open at midnight.
        let midnightRush = day.month == 11 && day.day == 11 && random.chance(0.4)
        let seconds = midnightRush ? random.integer(in: 0...7199) : random.integer(in: 9 * 3600...(23 * 3600 - 1))
        return SyntheticSeasons.instant(day, secondsOfDay: Int64(seconds))
    }

    private mutating func planPurchase(number: Int, at instant: Timestamp) {
        let day = SyntheticSeasons.localDate(of: instant)
        let (province, city) = region(at: instant)
        let lineItems = SyntheticBaskets.basket(on: day, loyal: persona == .loyal, random: &random)
        let subtotal = lineItems.reduce(Int64(0)) { $0 + $1.unitPrice * $1.quantity }
        // Sales take 40 CNY off every full 300 CNY.
        let discount = SyntheticSeasons.isSale(day) ? 4_000 * (subtotal / 30_000) : 0
        let amount = subtotal - discount
        let (channel, store) = SyntheticBaskets.channel(in: city, random: &random)
        let compactDate = day.year * 10_000 + day.month * 100 + day.day
        let orderID = "SO-\(compactDate)-\(customerID)-\(number)"
        let purchase = PurchaseRecorded(
            orderID: orderID, amount: Money(minorUnits: amount, currency: .cny), lineItems: lineItems, channel: channel,
            store: store)
        plan.append(Planned(occurredAt: instant, kind: .event(.purchaseRecorded(purchase))))

        let regionFactor = Double(province.complaintPercent) / 100
        let peak = SyntheticSeasons.isDeliveryPeak(day)
        var refunded = false
        if amount > 0, random.chance(0.04 * regionFactor * (peak ? 1.5 : 1)) {
            refunded = true
            planRefund(of: orderID, amount: amount, lineItems: lineItems, purchasedAt: instant)
        }
        if random.chance(0.025 * regionFactor * (peak ? 3 : 1) + (refunded ? 0.2 : 0)) {
            planComplaint(after: instant)
        } else if random.chance(persona.feedbackChance) {
            planFeedback(after: instant)
        }
        if random.chance(persona.redemptionChance) {
            plan.append(Planned(occurredAt: Timestamp(microseconds: instant.microseconds + 180_000_000), kind: .redemption))
        }
    }

    /// Returns the customer's province and city at `instant`, after any move.
    private func region(at instant: Timestamp) -> (SyntheticRegions.Province, SyntheticRegions.City) {
        if let movedTo, movedTo.at <= instant { return (movedTo.province, movedTo.city) }
        return (province, city)
    }

    private mutating func planRefund(of orderID: String, amount: Int64, lineItems: [LineItem], purchasedAt: Timestamp) {
        var refund = amount
        // Some refunds return one line of a larger order.
        if lineItems.count > 1, random.chance(0.4) {
            let line = random.element(of: lineItems)
            refund = min(amount, line.unitPrice * line.quantity)
        }
        let reason = random.element(of: SyntheticTexts.refundReasons)
        let payload = EventPayload.refundRecorded(
            RefundRecorded(orderID: orderID, amount: Money(minorUnits: refund, currency: .cny), reason: reason))
        plan.append(Planned(occurredAt: instant(afterDays: 2...15, from: purchasedAt), kind: .event(payload)))
    }

    /// Plans a complaint, and mostly a phone call-back that resolves it or not, with points to
    /// make up for some resolved ones.
    private mutating func planComplaint(after purchasedAt: Timestamp) {
        let complainedAt = instant(afterDays: 2...8, from: purchasedAt)
        let channel: FeedbackRecorded.Channel = random.chance(0.6) ? .onlineReview : .survey
        let complaint = FeedbackRecorded(
            channel: channel, rating: random.chance(0.55) ? 1 : 2, isComplaint: true,
            text: random.element(of: SyntheticTexts.complaints))
        plan.append(Planned(occurredAt: complainedAt, kind: .event(.feedbackRecorded(complaint))))
        guard random.chance(0.85) else { return }

        let calledAt = instant(afterDays: 1...3, from: complainedAt, hours: 10...17)
        let resolved = random.chance(0.7)
        let callback = resolved
            ? FeedbackRecorded(
                channel: .phoneCallback, rating: random.chance(0.6) ? 4 : 3, isComplaint: false,
                text: random.element(of: SyntheticTexts.resolvedCallbacks))
            : FeedbackRecorded(
                channel: .phoneCallback, rating: random.chance(0.5) ? 1 : 2, isComplaint: true,
                text: random.element(of: SyntheticTexts.unresolvedCallbacks))
        plan.append(Planned(occurredAt: calledAt, kind: .event(.feedbackRecorded(callback))))
        if resolved, random.chance(0.6) {
            let adjusted = PointsAdjusted(points: 200, reason: SyntheticTexts.compensationReason)
            plan.append(
                Planned(occurredAt: Timestamp(microseconds: calledAt.microseconds + 600_000_000), kind: .event(.pointsAdjusted(adjusted))))
        }
    }

    private mutating func planFeedback(after purchasedAt: Timestamp) {
        let weights = persona == .loyal ? [8, 32, 60] : [15, 35, 50]
        let rating = 3 + random.weightedIndex(weights)
        let channel: FeedbackRecorded.Channel = random.chance(0.5) ? .survey : .onlineReview
        var text = random.element(of: rating >= 4 ? SyntheticTexts.praise : SyntheticTexts.neutral)
        // Many survey answers are a rating alone.
        if channel == .survey, random.chance(0.35) { text = "" }
        let feedback = FeedbackRecorded(channel: channel, rating: rating, isComplaint: false, text: text)
        plan.append(Planned(occurredAt: instant(afterDays: 2...12, from: purchasedAt), kind: .event(.feedbackRecorded(feedback))))
    }

    // MARK: - Checking

    /// Checks the planned events in time order against the rules, by validating and folding each
    /// in `workspace`, and appends them to `output`. A redemption is kept only when the balance
    /// at its instant pays for a reward. Any other event that breaks a rule is a generator bug.
    private mutating func check(
        into workspace: inout ProjectionWorkspace, output: inout [SyntheticCustomerEvent]
    ) throws(SyntheticDataError) {
        let end = context.configuration.endInstant
        // The sort is stable, so events planned for one instant keep their planned order.
        let ordered = plan.enumerated().sorted { left, right in
            left.element.occurredAt != right.element.occurredAt
                ? left.element.occurredAt < right.element.occurredAt : left.offset < right.offset
        }.map(\.element)
        var version: UInt32 = 0
        for planned in ordered where planned.occurredAt < end {
            let payload: EventPayload
            switch planned.kind {
            case .event(let event):
                payload = event
            case .redemption:
                guard let redemption = affordableRedemption(in: &workspace, at: planned.occurredAt) else { continue }
                payload = redemption
            }
            do {
                try workspace.validate(payload, customerID: customerID, occurredAt: planned.occurredAt)
                version += 1
                try workspace.apply(
                    FoldEvent(payload), customerID: customerID, version: version, position: 0, occurredAt: planned.occurredAt)
            } catch let violation as RuleViolation {
                if case .redemption = planned.kind { continue }
                throw SyntheticDataError(
                    "generated \(payload.type?.description ?? "event") of customer \(customerID) at \(planned.occurredAt) breaks a rule: \(violation.reason); please report this")
            } catch {
                throw SyntheticDataError("checking customer \(customerID) failed: \(error)")
            }
            output.append(
                SyntheticCustomerEvent(
                    customerID: customerID, sequence: Int(version), occurredAt: planned.occurredAt, payload: payload))
        }
    }

    /// Returns a redemption of the most expensive reward that the customer's available points
    /// at `instant` pay for within the program's limits, or nil when none fits.
    private func affordableRedemption(in workspace: inout ProjectionWorkspace, at instant: Timestamp) -> EventPayload? {
        guard let state = try? workspace.customer(customerID) else { return nil }
        let rules = program.redemption
        let available = state.availablePoints(at: instant)
        let limit = ProjectionWorkspace.proportion(max(0, available), numerator: rules.maximumBalancePercent, denominator: 100)
        let reward = SyntheticCatalog.rewards.last { $0.points <= limit && $0.points >= rules.minimumPoints }
        return reward.map { .pointsRedeemed(PointsRedeemed(points: $0.points, reward: $0.id)) }
    }

    // MARK: - Instants

    /// Returns an instant a number of days in `days` after `start` (default: the registration),
    /// at an hour in `hours`, China Standard Time.
    private mutating func instant(
        afterDays days: ClosedRange<Int>, from start: Timestamp? = nil, hours: ClosedRange<Int> = 9...22
    ) -> Timestamp {
        let startDay = SyntheticSeasons.localDate(of: start ?? registeredAt).daysSinceEpoch
        let day = CivilDate(daysSinceEpoch: startDay + Int64(random.integer(in: days)))
        let seconds = random.integer(in: hours.lowerBound * 3600...(hours.upperBound * 3600 + 3599))
        return SyntheticSeasons.instant(day, secondsOfDay: Int64(seconds))
    }
}
