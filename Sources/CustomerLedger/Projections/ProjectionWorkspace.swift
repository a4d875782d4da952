import Glibc

/// Customer states and orders being folded, loaded on first use and written back at the end.
///
/// The same code validates and applies events during appends, where states come from LMDB,
/// and during replay, where every state starts empty, so the two always agree. Orders are not
/// stored. An order is rebuilt from the customer's own events when a refund or a repeated order
/// id needs it. Appends keep the orders they touch in memory for the rest of the batch, and
/// replay keeps none (see ``cachesOrders``).
struct ProjectionWorkspace {
    /// The loyalty program versions known so far. Program events extend it as they are folded.
    var timeline: ProgramTimeline
    /// The customers in memory, in the order they were loaded or registered. States live in an
    /// array, so that folding an event changes one in place without moving or copying it.
    private(set) var states: [CustomerState] = []
    /// The index in ``states`` of each customer in memory.
    private var slots: [CustomerID: Int] = [:]
    var orders: [OrderKey: OrderRecord] = [:]
    /// Customers whose stored state is known to be missing.
    var absentCustomers: Set<CustomerID> = []
    /// The customers that ``apply(_:customerID:version:position:occurredAt:)`` changed, kept only
    /// when ``tracksChanges`` is true.
    var changedCustomers: Set<CustomerID> = []
    /// False during replay, which writes every customer and so needs no record of the changed ones.
    var tracksChanges = true
    /// The reader of stored states, or nil during replay, when nothing is stored.
    var source: ProjectionSource?
    /// False during replay, which rebuilds each refunded order from the log instead of keeping
    /// every order in memory.
    var cachesOrders = true

    init(timeline: ProgramTimeline, source: ProjectionSource?) {
        self.timeline = timeline
        self.source = source
    }

    init(program: LoyaltyProgram, source: ProjectionSource?) {
        self.init(timeline: ProgramTimeline(base: program), source: source)
    }

    /// Returns the program in force at `instant`.
    func program(at instant: Timestamp) -> LoyaltyProgram { timeline.program(at: instant) }

    /// Returns the customer's state, loading it from the source on first use, or nil when the
    /// customer is not registered.
    mutating func customer(_ id: CustomerID) throws -> CustomerState? {
        try slot(of: id).map { states[$0] }
    }

    /// Returns the state of a customer in memory, without reading the source.
    func loadedState(of id: CustomerID) -> CustomerState? {
        slots[id].map { states[$0] }
    }

    /// Returns the referrer of a customer in memory, without copying the state.
    func referrer(of id: CustomerID) -> CustomerID? {
        slots[id].flatMap { states[$0].referrer }
    }

    /// Makes room for `count` customers in memory.
    mutating func reserveCapacity(_ count: Int) {
        states.reserveCapacity(count)
        slots.reserveCapacity(count)
    }

    /// Returns the index of the customer's state in ``states``, loading it from the source on
    /// first use, or nil when the customer is not registered.
    private mutating func slot(of id: CustomerID) throws -> Int? {
        if let slot = slots[id] { return slot }
        if absentCustomers.contains(id) { return nil }
        if let source, let state = try source.customer(id) { return place(state) }
        absentCustomers.insert(id)
        return nil
    }

    /// Stores `state` in memory, replacing any state of the same customer, and returns its index.
    private mutating func place(_ state: CustomerState) -> Int {
        if let slot = slots[state.customerID] {
            states[slot] = state
            return slot
        }
        states.append(state)
        slots[state.customerID] = states.count - 1
        return states.count - 1
    }

    /// Returns the order of the customer whose current state is `state`, rebuilding it from the
    /// customer's events when it is not in memory.
    mutating func order(_ key: OrderKey, state: CustomerState) throws -> OrderRecord? {
        if let order = orders[key] { return order }
        guard let source, state.orderFingerprints.contains(key.fingerprint),
            let order = try source.order(key, state: state, timeline: timeline)
        else { return nil }
        if cachesOrders { orders[key] = order }
        return order
    }

    /// Checks the business rules for appending `payload` for `customerID` at `occurredAt`, and
    /// throws ``RuleViolation`` when one fails.
    mutating func validate(_ payload: EventPayload, customerID: CustomerID, occurredAt: Timestamp) throws {
        if let type = payload.type, type.isLedgerEvent || customerID.isLedgerStream {
            guard type.isLedgerEvent, customerID.isLedgerStream else {
                throw RuleViolation(
                    "\(type) events belong to \(type.isLedgerEvent ? "the ledger's own stream; set the program with setProgram" : "customers, not the ledger's own stream")")
            }
            return
        }
        let program = program(at: occurredAt)
        let state = try customer(customerID)
        if case .customerRegistered = payload {
            guard state == nil else {
                throw RuleViolation(
                    state!.erasedAt == nil
                        ? Self.alreadyRegistered(customerID)
                        : "customer \(customerID) was erased, and an erased customer's id is never reused; register the customer under a new id")
            }
        } else if let erasedAt = state?.erasedAt {
            throw RuleViolation(
                "customer \(customerID) was erased at \(erasedAt); no events can be added for an erased customer")
        } else if state == nil {
            throw RuleViolation("customer \(customerID) is not registered; append a CustomerRegistered event first")
        } else if occurredAt < state!.registeredAt {
            throw RuleViolation(
                "the event occurs at \(occurredAt), before customer \(customerID) registered at \(state!.registeredAt)")
        }

        switch payload {
        case .customerRegistered(let registered):
            try Self.checkProfile(registered.profile)
            if registered.referrer == customerID { throw RuleViolation("customer \(customerID) cannot refer themselves") }
            if let referrer = registered.referrer, try self.customer(referrer) == nil {
                throw RuleViolation(
                    "referrer \(referrer) is not a registered customer; register the referrer first or leave the referrer out")
            }
            if customerID.isLedgerStream { throw RuleViolation("customer id 0 is reserved for the ledger's own stream") }

        case .profileUpdated(let updated):
            guard !updated.changes.isEmpty else { throw RuleViolation("the profile update changes no field") }
            // Only the changed fields are checked: the others passed when they were set.
            var profile = CustomerProfile(name: "")
            profile.apply(updated.changes)
            try Self.checkProfile(profile)

        case .purchaseRecorded(let purchase):
            try Self.checkText(purchase.orderID, field: "order id", required: true, limit: Self.orderIDLimit)
            try Self.checkText(purchase.channel, field: "channel")
            try Self.checkText(purchase.store, field: "store")
            guard purchase.amount.minorUnits >= 0 else {
                throw RuleViolation("purchase amount \(purchase.amount) is negative; record returns as refunds")
            }
            guard purchase.amount.minorUnits <= Self.maximumAmount else {
                throw RuleViolation(
                    "purchase amount \(purchase.amount) exceeds the limit of \(Self.maximumAmount) minor units per event")
            }
            try checkTotals(after: purchase.amount, state: state!, program: program)
            if program.earningScope == .perOrder {
                let points = program.pointsForOrder(
                    purchase.amount, lineItems: purchase.lineItems.map(FoldLineItem.init), state: state!, at: occurredAt)
                guard points <= Self.maximumPointsPerEvent,
                    !state!.points.earned.addingReportingOverflow(points).overflow,
                    state!.points.earned + points <= Int64.max / 2
                else {
                    throw RuleViolation(
                        "the purchase would earn \(points) points, beyond the limit of \(Self.maximumPointsPerEvent) per event or the customer's storable total; check the amount and the program's multipliers")
                }
            }
            guard purchase.lineItems.count <= 1000 else {
                throw RuleViolation("the purchase has \(purchase.lineItems.count) line items; the limit is 1000")
            }
            for item in purchase.lineItems {
                try Self.checkText(item.sku, field: "SKU", required: true)
                try Self.checkText(item.category, field: "category", limit: 256)
                guard item.quantity >= 0 else { throw RuleViolation("quantity \(item.quantity) of SKU '\(item.sku)' is negative") }
                guard item.unitPrice >= 0 else {
                    throw RuleViolation("unit price \(item.unitPrice) of SKU '\(item.sku)' is negative")
                }
            }
            let key = OrderKey(customerID: customerID, orderID: purchase.orderID)
            if try order(key, state: state!) != nil {
                throw RuleViolation("order '\(purchase.orderID)' of customer \(customerID) is already recorded")
            }

        case .refundRecorded(let refund):
            try Self.checkText(refund.orderID, field: "order id", required: true, limit: Self.orderIDLimit)
            try Self.checkText(refund.reason, field: "reason")
            let key = OrderKey(customerID: customerID, orderID: refund.orderID)
            guard let order = try order(key, state: state!) else {
                throw RuleViolation("customer \(customerID) has no order '\(refund.orderID)' to refund")
            }
            guard refund.amount.currency == order.amount.currency else {
                throw RuleViolation(
                    "refund currency \(refund.amount.currency) differs from order '\(refund.orderID)' in \(order.amount.currency)")
            }
            guard refund.amount.minorUnits <= Self.maximumAmount else {
                throw RuleViolation(
                    "refund amount \(refund.amount) exceeds the limit of \(Self.maximumAmount) minor units per event")
            }
            guard refund.amount.minorUnits > 0 else {
                throw RuleViolation("refund amount \(refund.amount) must be positive")
            }
            guard refund.amount.minorUnits <= order.refundable else {
                let remaining = Money(minorUnits: order.refundable, currency: order.amount.currency)
                throw RuleViolation(
                    "refund of \(refund.amount) exceeds the \(remaining) still refundable on order '\(refund.orderID)'")
            }

        case .pointsRedeemed(let redeemed):
            try Self.checkText(redeemed.reward, field: "reward", required: true)
            // Zero is allowed: a free member offer is still a redemption worth recording.
            guard redeemed.points >= 0 else {
                throw RuleViolation("redeemed points must not be negative, got \(redeemed.points)")
            }
            try checkRedemption(redeemed, state: state!, at: occurredAt, program: program)

        case .pointsAdjusted(let adjusted):
            try Self.checkText(adjusted.reason, field: "reason", required: true)
            guard adjusted.points != 0 else { throw RuleViolation("a points adjustment of 0 changes nothing") }
            guard adjusted.points.magnitude <= 1_000_000_000_000 else {
                throw RuleViolation("points adjustment \(adjusted.points) is beyond ±1000000000000")
            }
            guard !state!.points.adjusted.addingReportingOverflow(adjusted.points).overflow,
                !state!.points.balance.addingReportingOverflow(adjusted.points).overflow
            else {
                throw RuleViolation("points adjustment \(adjusted.points) would overflow the customer's points totals")
            }

        case .feedbackRecorded(let feedback):
            guard (1...5).contains(feedback.rating) else {
                throw RuleViolation("rating \(feedback.rating) is outside 1–5")
            }
            try Self.checkText(feedback.text, field: "feedback text", limit: 32_768)

        case .programDefined, .programChanged:
            break  // Checked above.

        case .tierAssigned(let assigned):
            guard program.tierIndex(named: assigned.tier) != nil else {
                throw RuleViolation(
                    "tier '\(assigned.tier)' is not on the program's ladder (\(program.tiers.map(\.name).joined(separator: ", ")))")
            }
            try Self.checkText(assigned.reason, field: "reason", required: true)
            if let until = assigned.until, until <= occurredAt {
                throw RuleViolation("the assignment ends at \(until), not after it starts at \(occurredAt)")
            }

        case .pointsExpired(let expired):
            guard expired.points > 0, let lot = state!.lots.first(where: { $0.number == expired.lot && $0.remaining > 0 })
            else {
                throw RuleViolation("customer \(customerID) has no lot \(expired.lot) with points left to expire")
            }
            guard let expiresAt = lot.expiresAt else {
                throw RuleViolation("lot \(expired.lot) never expires")
            }
            guard lot.hasExpired(at: occurredAt) else {
                throw RuleViolation("lot \(expired.lot) expires at \(expiresAt), after \(occurredAt)")
            }
            guard expired.points == lot.remaining else {
                throw RuleViolation("lot \(expired.lot) has \(lot.remaining) points left, not \(expired.points)")
            }

        case .rewardGranted(let reward):
            try Self.checkText(reward.key, field: "reward key", required: true, limit: 256)
            guard reward.points >= 0, reward.points <= 1_000_000_000_000 else {
                throw RuleViolation("reward points must be between 0 and 1000000000000, got \(reward.points)")
            }
            guard !state!.rewardKeys.contains(Self.rewardKeyHash(reward.key)) else {
                throw RuleViolation("reward '\(reward.key)' was already paid to customer \(customerID)")
            }

        case .customerErased(let erased):
            try Self.checkText(erased.reason, field: "erasure reason", required: true, limit: 1024)
            guard !erased.reason.allSatisfy(\.isWhitespace) else {
                throw RuleViolation("the erasure reason is blank; give a request reference")
            }
            // An erasure before a later event would leave that event's data dated after it.
            guard occurredAt >= state!.latestEventAt else {
                throw RuleViolation(
                    "the erasure occurs at \(occurredAt), before the customer's latest event at \(state!.latestEventAt); erase at or after it")
            }

        case .unrecognized(let unknown):
            // Kept verbatim for a newer version of the ledger to read, and skipped by projections.
            // A type and schema version that this version decodes would bypass these rules and
            // might not decode afterwards.
            if let type = EventType(rawValue: unknown.typeCode), type.reads(schemaVersion: unknown.schemaVersion) {
                throw RuleViolation(
                    "type code \(unknown.typeCode) with schema version \(unknown.schemaVersion) is \(type), which this version decodes; append it as a \(type) payload")
            }
        }
    }

    /// Folds one event into the workspace. The event must have passed ``validate(_:customerID:occurredAt:)``
    /// when it was appended. Unrecognized events change only the version and last position.
    mutating func apply(
        _ event: FoldEvent, customerID: CustomerID, version: UInt32, position: UInt64, occurredAt: Timestamp
    ) throws {
        if customerID.isLedgerStream {
            if case .programVersion(let programVersion) = event {
                timeline.add(programVersion, position: position)
            }
            timeline.streamVersion = version
            return
        }
        let rules = timeline.box(at: occurredAt)
        let slot: Int
        switch event {
        case .registered(let province, let city, let referrer, let personal):
            absentCustomers.remove(customerID)
            slot = place(
                CustomerState(
                    customerID: customerID, registeredAt: occurredAt,
                    profile: CustomerProfile(name: "", province: province, city: city), referrer: referrer,
                    personal: personal))
        case .refund(let orderID, let amount):
            // An event before any registration cannot be appended, so only a foreign log gets here.
            guard let found = try self.slot(of: customerID) else { return }
            slot = found
            // The order is rebuilt before the state changes, so that it walks the events before this one.
            let key = OrderKey(customerID: customerID, orderID: orderID)
            if let order = try order(key, state: states[slot]) {
                let refunded = Self.applyRefund(
                    amount: amount, order: order, fingerprint: key.fingerprint, to: &states[slot], at: occurredAt,
                    program: rules.program)
                if cachesOrders { orders[key] = refunded }
            }
        default:
            guard let found = try self.slot(of: customerID) else { return }
            slot = found
            let placed = Self.fold(event, into: &states[slot], at: occurredAt, program: rules.program)
            if cachesOrders, let placed { orders[placed.key] = placed.order }
        }
        states[slot].version = version
        states[slot].lastPosition = position
        if occurredAt > states[slot].latestEventAt { states[slot].latestEventAt = occurredAt }
        if tracksChanges { changedCustomers.insert(customerID) }
    }

    /// Folds an event other than a registration or a refund into `state`, and returns the order
    /// that a purchase creates.
    private static func fold(
        _ event: FoldEvent, into state: inout CustomerState, at instant: Timestamp, program: LoyaltyProgram
    ) -> (key: OrderKey, order: OrderRecord)? {
        switch event {
        case .registered, .refund, .skipped, .programVersion:
            return nil
        case .profileUpdated(let province, let city, let personal):
            if let province { state.province = province }
            if let city { state.city = city }
            if let personal { state.personalRecords.append(personal) }
            return nil
        case .erased:
            state.erasedAt = instant
            state.personalRecords = PersonalRecords()
            return nil
        case .purchase(let orderID, let amount, let lineItems):
            return applyPurchase(
                orderID: orderID, amount: amount, lineItems: lineItems, to: &state, at: instant, program: program)
        case .redeemed(let points):
            let taken = state.consume(points, at: instant)
            state.pointsDebt += points - taken
            state.points.redeemed += points
            return nil
        case .adjusted(let points):
            if points > 0 {
                state.addLot(
                    points, at: instant, availableAt: instant, expiresAt: program.expiry(ofPointsAvailableAt: instant),
                    orderFingerprint: 0)
            } else {
                let taken = state.consume(-points, at: instant)
                state.pointsDebt += -points - taken
            }
            state.points.adjusted += points
            return nil
        case .feedback(let rating, let isComplaint):
            state.feedbackCount += 1
            state.ratingTotal += Int64(rating)
            if isComplaint { state.complaintCount += 1 }
            return nil
        case .tierAssigned(let assigned):
            state.tierAssignment = assigned
            return nil
        case .pointsExpired(let points, let number):
            if let index = state.lots.firstIndex(where: { $0.number == number }) {
                let written = min(points, state.lots[index].remaining)
                state.lots[index].remaining -= written
                state.lots[index].writtenOff += written
                state.points.expired += written
            }
            return nil
        case .rewardGranted(let points, let key):
            state.rewardKeys.append(rewardKeyHash(key))
            state.points.earned += points
            state.addLot(
                points, at: instant, availableAt: instant, expiresAt: program.expiry(ofPointsAvailableAt: instant),
                orderFingerprint: 0)
            return nil
        }
    }

    private static func applyPurchase(
        orderID: String, amount money: Money, lineItems: [FoldLineItem], to state: inout CustomerState,
        at instant: Timestamp, program: LoyaltyProgram
    ) -> (key: OrderKey, order: OrderRecord) {
        let amount = money.minorUnits
        let key = OrderKey(customerID: state.customerID, orderID: orderID)
        state.purchaseCount += 1
        if state.firstPurchaseAt.map({ instant < $0 }) ?? true { state.firstPurchaseAt = instant }
        if state.lastPurchaseAt.map({ instant > $0 }) ?? true { state.lastPurchaseAt = instant }

        state.addSpend(amount, refund: false, currency: money.currency)

        let inProgramCurrency = money.currency == program.currency
        var earned: Int64 = 0
        if inProgramCurrency {
            switch program.earningScope {
            case .perOrder:
                // The business rules reject an event that would earn more when it is appended, so
                // the cap changes only `Ledger.simulate` under a candidate program that earns more.
                earned = min(
                    program.pointsForOrder(money, lineItems: lineItems, state: state, at: instant), maximumPointsPerEvent,
                    max(0, Int64.max / 2 - state.points.earned))
                state.points.earned += earned
                let availableAt = program.availability(ofPointsEarnedAt: instant)
                state.addLot(
                    earned, at: instant, availableAt: availableAt, expiresAt: program.expiry(ofPointsAvailableAt: availableAt),
                    orderFingerprint: key.fingerprint)
            case .cumulative:
                earned = settleCumulativePoints(&state, at: instant, fingerprint: key.fingerprint, program: program)
            }
        }
        addToWindow(
            SpendEntry(
                occurredAt: instant, amount: amount, isPurchase: true, points: earned, currencyCode: money.currency.packed),
            &state,
            program: program)

        state.orderFingerprints.append(key.fingerprint)
        if program.earningScope == .perOrder {
            // Orders of a cumulative program before this one earned nothing on their own.
            while state.orderPoints.count < state.orderFingerprints.count - 1 { state.orderPoints.append(0) }
            state.orderPoints.append(earned)
        }
        return (key, OrderRecord(amount: money, refunded: 0, pointsEarned: earned, pointsReversed: 0))
    }

    /// Folds a refund of `order` into `state`, and returns the order after the refund.
    private static func applyRefund(
        amount money: Money, order: OrderRecord, fingerprint: UInt32, to state: inout CustomerState,
        at instant: Timestamp, program: LoyaltyProgram
    ) -> OrderRecord {
        var order = order
        let amount = money.minorUnits
        order.refunded += amount
        state.refundCount += 1
        state.addSpend(amount, refund: true, currency: money.currency)

        let inProgramCurrency = money.currency == program.currency
        var reversal: Int64 = 0
        if inProgramCurrency {
            switch program.earningScope {
            case .perOrder:
                // Reverse the refunded share of what the order earned, rounded down, so that all
                // refunds together never take back more than the order earned.
                let share = order.reversedPoints(afterRefunding: order.refunded)
                reversal = share - order.pointsReversed
                order.pointsReversed = share
                let outcome = state.takeBack(
                    reversal, orderFingerprint: fingerprint, at: instant, shortfall: program.refundShortfall)
                state.points.reversed += outcome.taken
                state.points.forgiven += outcome.forgiven
            case .cumulative:
                reversal = -settleCumulativePoints(&state, at: instant, fingerprint: fingerprint, program: program)
            }
        }
        addToWindow(
            SpendEntry(
                occurredAt: instant, amount: -amount, isPurchase: false, points: -reversal,
                currencyCode: money.currency.packed),
            &state, program: program)
        return order
    }

    /// Brings earned minus reversed points to the rounded lifetime net spend times
    /// `pointsPerUnit`, and returns the change: positive when points were earned.
    private static func settleCumulativePoints(
        _ state: inout CustomerState, at instant: Timestamp, fingerprint: UInt32, program: LoyaltyProgram
    ) -> Int64 {
        let net = state.spend(in: program.currency).net
        // The business rules keep the points of appended events below Int64.max / 2, and so does
        // this cap for `Ledger.simulate` under a candidate program that earns more.
        let target = min(
            LoyaltyProgram.rounded(
                Int128(max(0, net)) * Int128(program.pointsPerUnit), dividedBy: Int128(program.currency.minorUnitsPerUnit),
                program.rounding),
            Int64.max / 2)
        let current = state.points.earned - state.points.reversed - state.points.forgiven
        if target > current {
            let earned = target - current
            state.points.earned += earned
            let availableAt = program.availability(ofPointsEarnedAt: instant)
            state.addLot(
                earned, at: instant, availableAt: availableAt, expiresAt: program.expiry(ofPointsAvailableAt: availableAt),
                orderFingerprint: fingerprint)
            return earned
        }
        let outcome = state.takeBack(
            current - target, orderFingerprint: fingerprint, at: instant, shortfall: program.refundShortfall)
        state.points.reversed += outcome.taken
        state.points.forgiven += outcome.forgiven
        return target - current
    }

    /// Inserts `entry` in occurred-at order and drops entries that no tier evaluation at or after
    /// the latest spend can include, once there are enough of them. A lifetime window adds the
    /// dropped entries to the customer's window totals instead.
    private static func addToWindow(_ entry: SpendEntry, _ state: inout CustomerState, program: LoyaltyProgram) {
        if entry.occurredAt > state.latestSpendAt { state.latestSpendAt = entry.occurredAt }
        var index = state.window.count
        while index > 0 && state.window[index - 1].occurredAt > entry.occurredAt { index -= 1 }
        state.window.insert(entry, at: index)
        // Entries too old for any window are dropped in bulk, since each removal shifts the whole
        // array. Both appends and replay make the same calls, so they keep the same entries.
        let oldest = state.latestSpendAt.adding(days: -program.windowRetentionDays)
        let stale = state.window.firstIndex { $0.occurredAt > oldest } ?? state.window.count
        if stale >= 16 || stale * 2 >= state.window.count {
            if program.tierWindow == .lifetime {
                for dropped in state.window[..<stale] { state.windowBase.add(dropped, currency: program.currency) }
            }
            state.window.removeFirst(stale)
        }
    }

    /// Checks a redemption against the available balance at `instant` and the program's limits.
    private mutating func checkRedemption(
        _ redeemed: PointsRedeemed, state: CustomerState, at instant: Timestamp, program: LoyaltyProgram
    ) throws {
        let available = state.availablePoints(at: instant)
        guard redeemed.points <= available else {
            throw RuleViolation(
                "redemption of \(redeemed.points) points exceeds the available balance of \(available) at \(instant)")
        }
        if let offer = program.offers.first(where: { $0.id == redeemed.reward }) {
            guard redeemed.points == offer.points else {
                throw RuleViolation("offer '\(offer.id)' costs \(offer.points) points, not \(redeemed.points)")
            }
            if !offer.eligibleTiers.isEmpty {
                let tier = program.evaluateTier(state, asOf: instant).tierName
                guard offer.eligibleTiers.contains(tier) else {
                    throw RuleViolation(
                        "offer '\(offer.id)' is for \(offer.eligibleTiers.joined(separator: ", ")) members, and customer \(state.customerID) is \(tier)")
                }
            }
        }
        guard redeemed.points > 0 else { return }
        let rules = program.redemption
        guard redeemed.points >= rules.minimumPoints else {
            throw RuleViolation("redemption of \(redeemed.points) points is below the minimum of \(rules.minimumPoints)")
        }
        let balanceLimit = Self.proportion(available, numerator: rules.maximumBalancePercent, denominator: 100)
        guard rules.maximumBalancePercent == 100 || redeemed.points <= balanceLimit else {
            throw RuleViolation(
                "redemption of \(redeemed.points) points exceeds \(rules.maximumBalancePercent)% of the available \(available), \(balanceLimit) points")
        }
        guard !redeemed.orderID.isEmpty else { return }
        try Self.checkText(redeemed.orderID, field: "order id", limit: Self.orderIDLimit)
        let key = OrderKey(customerID: state.customerID, orderID: redeemed.orderID)
        guard let order = try order(key, state: state) else {
            throw RuleViolation("customer \(state.customerID) has no order '\(redeemed.orderID)' to redeem points against")
        }
        guard order.amount.currency == program.currency else {
            throw RuleViolation(
                "order '\(redeemed.orderID)' is in \(order.amount.currency), and points pay only toward orders in the program currency \(program.currency)")
        }
        let value = program.pointValue.value(of: redeemed.points)
        // Refunded money is no longer part of the order, so the share applies to what is left.
        let orderLimit = Self.proportion(order.refundable, numerator: rules.maximumOrderPercent, denominator: 100)
        guard value <= orderLimit else {
            // A value that does not fit in Int64 saturates at Int64.max.
            let worth = (value == .max ? "at least " : "") + "\(Money(minorUnits: value, currency: program.currency))"
            throw RuleViolation(
                "\(redeemed.points) points are worth \(worth), more than \(rules.maximumOrderPercent)% of what remains of order '\(redeemed.orderID)' (\(Money(minorUnits: orderLimit, currency: order.amount.currency)))")
        }
    }

    /// Returns the 64-bit FNV-1a hash of a reward key.
    static func rewardKeyHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Returns the reason that rejects the registration of a customer the ledger already has.
    static func alreadyRegistered(_ customerID: CustomerID) -> String {
        "customer \(customerID) is already registered"
    }

    /// Returns `floor(value * numerator / denominator)` for non-negative inputs, computed in 128
    /// bits, or `Int64.max` when the result does not fit in `Int64`, such as 10¹⁵ points at a
    /// point value of 10⁹ minor units each.
    static func proportion(_ value: Int64, numerator: Int64, denominator: Int64) -> Int64 {
        guard denominator > 0 else { return value }
        return Int64(clamping: Int128(value) * Int128(numerator) / Int128(denominator))
    }

    /// Returns true when `text` contains a NUL byte, scanning its UTF-8 storage with `memchr`.
    static func containsNUL(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 0, bytes.count) != nil
        }
    }

    /// The maximum points one event may earn: 10¹⁵, so that no total of points can overflow.
    static let maximumPointsPerEvent: Int64 = 1_000_000_000_000_000

    /// The largest amount of one purchase or refund, in minor units: 10¹⁵, or ten trillion yuan.
    static let maximumAmount: Int64 = 1_000_000_000_000_000

    /// Rejects a purchase whose spend totals or points earned could pass `Int64.max`, so that
    /// folding it cannot overflow.
    private func checkTotals(after amount: Money, state: CustomerState, program: LoyaltyProgram) throws {
        let spend = state.spend(in: amount.currency)
        let (gross, grossOverflow) = spend.gross.addingReportingOverflow(amount.minorUnits)
        guard !grossOverflow else {
            throw RuleViolation("the customer's total spend in \(amount.currency) would pass the largest storable amount")
        }
        guard amount.currency == program.currency else { return }
        // Points earned exceed what the gross spend earns only by rounding, at most `pointsPerUnit`
        // per event, so half of Int64.max leaves a margin no real ledger can use up.
        let units = gross / program.currency.minorUnitsPerUnit
        let (points, overflow) = units.multipliedReportingOverflow(by: program.pointsPerUnit)
        guard !overflow, points <= Int64.max / 2 else {
            throw RuleViolation("the customer's points would pass the largest storable number")
        }
    }

    /// The maximum length of an order id in UTF-8 bytes. Order ids are compared and hashed on
    /// every purchase and refund, so they stay short; 256 bytes fits any real order number.
    static let orderIDLimit = 256

    static func checkProfile(_ profile: CustomerProfile) throws {
        try checkText(profile.name, field: "name")
        try checkText(profile.phone, field: "phone")
        try checkText(profile.email, field: "email")
        try checkText(profile.province, field: "province")
        try checkText(profile.city, field: "city")
        try checkText(profile.address, field: "address")
    }

    /// Rejects text that is too long, contains a NUL byte, or is empty when `required` is true.
    /// The error names the field but never echoes the value, which may be personal data.
    static func checkText(_ text: String, field: String, required: Bool = false, limit: Int = 4096) throws {
        let length = text.utf8.count
        if required && length == 0 { throw RuleViolation("the \(field) is empty") }
        if length > limit { throw RuleViolation("the \(field) is \(length) bytes long; the limit is \(limit) bytes") }
        if Self.containsNUL(text) { throw RuleViolation("the \(field) contains a NUL byte") }
    }
}

/// The reason an event breaks a business rule, before the ledger adds the event's index in the batch.
struct RuleViolation: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// The key of an order in the workspace: customer, then the order id.
///
/// Order ids compare by their UTF-8 bytes, as ``ProjectionSource/order(_:newestPosition:program:)``
/// does, and not by Unicode canonical equivalence as `String` does. Otherwise a precomposed and
/// a decomposed "café" would be one order in memory and two when rebuilt from the log.
struct OrderKey: Hashable, Sendable {
    let customerID: CustomerID
    let orderID: String
    /// ``fingerprint(_:)`` of the order id, computed once and used as the hash.
    let fingerprint: UInt32

    init(customerID: CustomerID, orderID: String) {
        self.customerID = customerID
        self.orderID = orderID
        fingerprint = OrderKey.fingerprint(orderID)
    }

    static func == (lhs: OrderKey, rhs: OrderKey) -> Bool {
        lhs.customerID == rhs.customerID && lhs.fingerprint == rhs.fingerprint
            && lhs.orderID.utf8.elementsEqual(rhs.orderID.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(customerID.rawValue &* 0x9E37_79B9 ^ UInt64(fingerprint))
    }
}

extension OrderKey {
    /// Returns the 32-bit FNV-1a hash of the order id's UTF-8 bytes. Customer states store these
    /// hashes, so that most purchases can tell that their order id is new without reading any event.
    static func fingerprint(_ orderID: String) -> UInt32 {
        var text = orderID
        return text.withUTF8 { bytes in
            var hash: UInt32 = 0x811C_9DC5
            for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
            return hash
        }
    }
}

/// Reads stored projections for a ``ProjectionWorkspace`` inside one transaction.
struct ProjectionSource {
    let transaction: Transaction
    /// The live customer table, or nil during replay, which must not read the states it rebuilds.
    let customers: Database?
    let events: Database

    func customer(_ id: CustomerID) throws -> CustomerState? {
        guard let customers else { return nil }
        return try Keys.withCustomer(id) { key in
            guard let bytes = try transaction.get(customers, key) else { return nil }
            do {
                return try CustomerState.decode(bytes)
            } catch {
                throw LedgerError.corruptProjection("customer \(id): \(error)")
            }
        }
    }

    /// Rebuilds an order of the customer whose current state is `state` by walking the
    /// customer's events back from the newest, adding up the order's refunds until its purchase.
    /// The points it earned come from the state, by the purchase's place among the customer's
    /// purchases. Returns nil when the customer has no such order.
    /// - Complexity: O(k log N) for a customer with k events.
    func order(_ key: OrderKey, state: CustomerState, timeline: ProgramTimeline) throws -> OrderRecord? {
        var position = state.lastPosition
        var refunded: Int64 = 0
        var laterPurchases = 0
        while position > 0 {
            let found: (event: FoldEvent, previous: UInt64, occurredAt: Timestamp) = try Keys.withUInt64(position) {
                positionKey in
                guard let bytes = try transaction.get(events, positionKey) else {
                    throw LedgerError.corruptEvent(position: position, .truncated(at: 0))
                }
                do {
                    var reader = ByteReader(bytes)
                    let header = try EventCodec.decodeHeader(&reader, metadata: false)
                    let previous = header.previousPosition(of: position)
                    guard header.typeCode == EventType.purchaseRecorded.rawValue
                        || header.typeCode == EventType.refundRecorded.rawValue
                    else { return (.skipped, previous, header.occurredAt) }
                    let event = try FoldEvent.decode(&reader, header: header)
                    return (event, previous, header.occurredAt)
                } catch let error as DecodingError {
                    throw LedgerError.corruptEvent(position: position, error)
                }
            }
            switch found.event {
            case .purchase(let orderID, let amount, _) where orderID.utf8.elementsEqual(key.orderID.utf8):
                let ordinal = state.orderFingerprints.count - 1 - laterPurchases
                let program = timeline.program(at: found.occurredAt)
                var earned: Int64 = 0
                if program.earningScope == .perOrder && amount.currency == program.currency {
                    // A state stored before points per order were kept has -1 for each order.
                    var stored: Int64 = 0
                    if ordinal >= 0 && ordinal < state.orderPoints.count { stored = state.orderPoints[ordinal] }
                    earned = stored >= 0
                        ? stored
                        : amount.minorUnits / program.currency.minorUnitsPerUnit * program.pointsPerUnit
                }
                var order = OrderRecord(amount: amount, refunded: refunded, pointsEarned: earned, pointsReversed: 0)
                order.pointsReversed = order.reversedPoints(afterRefunding: refunded)
                return order
            case .purchase:
                laterPurchases += 1
            case .refund(let orderID, let amount) where orderID.utf8.elementsEqual(key.orderID.utf8):
                refunded += amount.minorUnits
            default:
                break
            }
            position = found.previous
        }
        return nil
    }
}
