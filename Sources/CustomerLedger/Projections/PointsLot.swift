/// Points earned together, which become available, are spent and expire together.
public struct PointsLot: Equatable, Sendable {
    // The fields are ordered from widest to narrowest, so that a lot takes less memory.
    public var earnedAt: Timestamp
    /// The end of the pending period, or `earnedAt` when there is none.
    public var availableAt: Timestamp
    /// The points not yet spent, reversed or expired.
    public var remaining: Int64
    /// Points of the lot that a ``PointsExpired`` event wrote off. An event dated before the
    /// expiry, recorded after the write-off, can still spend or take back these points.
    public internal(set) var writtenOff: Int64
    /// The instant the points expire, or nil when they never do.
    public var expiresAt: Timestamp?
    /// The lot's number among the customer's lots, from 1, which ``PointsExpired`` events name.
    public var number: UInt32
    /// ``OrderKey/fingerprint(_:)`` of the order that earned the lot, or 0.
    var orderFingerprint: UInt32

    init(
        number: UInt32, earnedAt: Timestamp, availableAt: Timestamp, expiresAt: Timestamp?, remaining: Int64,
        orderFingerprint: UInt32, writtenOff: Int64 = 0
    ) {
        self.earnedAt = earnedAt
        self.availableAt = availableAt
        self.remaining = remaining
        self.writtenOff = writtenOff
        self.expiresAt = expiresAt
        self.number = number
        self.orderFingerprint = orderFingerprint
    }

    /// True when the points are pending at `instant`.
    public func isPending(at instant: Timestamp) -> Bool { instant < availableAt }

    /// True when the points expired at or before `instant`.
    public func hasExpired(at instant: Timestamp) -> Bool { expiresAt.map { $0 <= instant } ?? false }

    /// True when the points can be spent at `instant`.
    public func isAvailable(at instant: Timestamp) -> Bool { !isPending(at: instant) && !hasExpired(at: instant) }
}

/// A customer's points as of an instant, with expiry applied.
public struct PointsStatement: Equatable, Sendable {
    public var asOf: Timestamp
    /// Points that can be spent now. Negative while refunds of spent points are being repaid.
    public var available: Int64
    /// Points inside their pending period.
    public var pending: Int64
    /// Points that will expire, grouped by instant, soonest first.
    public var expiring: [ExpiringPoints]
    /// All points ever earned from purchases, rewards and positive adjustments.
    public var earned: Int64
    public var redeemed: Int64
    /// Points that expired, whether or not a ``PointsExpired`` event records it yet.
    public var expired: Int64
    /// Points taken back because of refunds.
    public var reversed: Int64
    /// The net of manual adjustments.
    public var adjusted: Int64
}

/// Points that expire at one instant.
public struct ExpiringPoints: Equatable, Sendable {
    public var expiresAt: Timestamp
    public var points: Int64
}

extension CustomerState {
    /// The lots that still have points, pending, available or expired but not written off.
    public var lotsWithPoints: [PointsLot] { lots.filter { $0.remaining > 0 } }

    /// Returns the customer's points as of `instant`, which must be at or after the customer's
    /// latest event to be exact. ``Ledger/points(of:asOf:)`` refolds the events for earlier instants.
    ///
    /// The sums saturate at the bounds of `Int64`, which only ``Ledger/simulate(program:asOf:)``
    /// under a candidate program that earns far more than the ledger's own can reach.
    public func pointsStatement(asOf instant: Timestamp) -> PointsStatement {
        var available: Int64 = 0
        var pending: Int64 = 0
        var lapsed: Int64 = 0
        var expiring: [Timestamp: Int64] = [:]
        for lot in lots where lot.remaining > 0 {
            if lot.hasExpired(at: instant) {
                lapsed = lapsed.addingSaturated(lot.remaining)
            } else if lot.isPending(at: instant) {
                pending = pending.addingSaturated(lot.remaining)
                if let expiresAt = lot.expiresAt { expiring[expiresAt, default: 0] = expiring[expiresAt, default: 0].addingSaturated(lot.remaining) }
            } else {
                available = available.addingSaturated(lot.remaining)
                if let expiresAt = lot.expiresAt { expiring[expiresAt, default: 0] = expiring[expiresAt, default: 0].addingSaturated(lot.remaining) }
            }
        }
        return PointsStatement(
            asOf: instant, available: available.subtractingSaturated(pointsDebt), pending: pending,
            expiring: expiring.sorted { $0.key < $1.key }.map { ExpiringPoints(expiresAt: $0.key, points: $0.value) },
            earned: points.earned, redeemed: points.redeemed,
            expired: points.expired.addingSaturated(lapsed), reversed: points.reversed, adjusted: points.adjusted)
    }

    /// Returns the points that can be spent at `instant`, net of any debt. Points written off
    /// after `instant` count, because they had not expired yet then. The sum saturates as in
    /// ``pointsStatement(asOf:)``.
    func availablePoints(at instant: Timestamp) -> Int64 {
        var total: Int64 = 0
        for lot in lots where lot.isAvailable(at: instant) {
            total = total.addingSaturated(lot.remaining.addingSaturated(lot.writtenOff))
        }
        return total.subtractingSaturated(pointsDebt)
    }

    /// Adds a lot of `count` points earned at `instant`. Points available at once repay any debt
    /// first, while pending ones stay in their lot until they can be spent.
    mutating func addLot(
        _ count: Int64, at instant: Timestamp, availableAt: Timestamp, expiresAt: Timestamp?, orderFingerprint: UInt32
    ) {
        guard count > 0 else { return }
        let repaid = availableAt <= instant ? min(count, pointsDebt) : 0
        pointsDebt -= repaid
        let left = count - repaid
        guard left > 0 else { return }
        // Lots that are available at once and never expire are interchangeable, so one lot contains
        // them all and the state stays small under such programs.
        if expiresAt == nil, availableAt <= instant, let last = lots.indices.last,
            lots[last].expiresAt == nil, lots[last].availableAt <= instant
        {
            lots[last].remaining += left
            lots[last].orderFingerprint = 0
            return
        }
        nextLotNumber += 1
        lots.append(
            PointsLot(
                number: nextLotNumber, earnedAt: instant, availableAt: availableAt, expiresAt: expiresAt, remaining: left,
                orderFingerprint: orderFingerprint))
    }

    /// Spends up to `count` available points at `instant`, soonest-expiring first, and returns
    /// how many it found.
    mutating func consume(_ count: Int64, at instant: Timestamp) -> Int64 {
        repayDebt(at: instant)
        return take(count, at: instant)
    }

    /// Repays any debt from lots that became available since it arose.
    mutating func repayDebt(at instant: Timestamp) {
        guard pointsDebt > 0 else { return }
        pointsDebt -= take(pointsDebt, at: instant)
    }

    private mutating func take(_ count: Int64, at instant: Timestamp) -> Int64 {
        guard count > 0 else { return 0 }
        // A lot written off later than `instant` was still spendable then.
        let order = lots.indices.filter {
            lots[$0].isAvailable(at: instant) && (lots[$0].remaining > 0 || lots[$0].writtenOff > 0)
        }.sorted {
            let left = lots[$0]
            let right = lots[$1]
            switch (left.expiresAt, right.expiresAt) {
            case let (l?, r?) where l != r: return l < r
            case (nil, _?): return false
            case (_?, nil): return true
            default: return left.number < right.number
            }
        }
        var needed = count
        for index in order where needed > 0 {
            needed -= takeFromLot(index, needed)
        }
        dropEmptyLots()
        return count - needed
    }

    /// Takes up to `count` points from the lot at `index`: its remaining points first, then
    /// written-off ones, which then count as neither expired nor remaining. Returns the points taken.
    private mutating func takeFromLot(_ index: Int, _ count: Int64) -> Int64 {
        let fromRemaining = min(count, lots[index].remaining)
        lots[index].remaining -= fromRemaining
        let fromWrittenOff = min(count - fromRemaining, lots[index].writtenOff)
        lots[index].writtenOff -= fromWrittenOff
        points.expired -= fromWrittenOff
        return fromRemaining + fromWrittenOff
    }

    /// Takes up to `count` points from the order's own lot, whatever its state at `instant`:
    /// pending points, available ones, and expired ones, which expire no more once taken back.
    /// Returns how many it took.
    mutating func takeFromOrderLot(_ count: Int64, orderFingerprint: UInt32, at instant: Timestamp) -> Int64 {
        guard count > 0, orderFingerprint != 0,
            let index = lots.lastIndex(where: { $0.orderFingerprint == orderFingerprint && $0.earnedAt <= instant })
        else { return 0 }
        let taken = takeFromLot(index, count)
        dropEmptyLots()
        return taken
    }

    /// Takes back `count` points of a refunded order at `instant`: the order's own points first,
    /// then other available ones. Returns the points taken back and those that were missing.
    mutating func takeBack(
        _ count: Int64, orderFingerprint: UInt32, at instant: Timestamp, shortfall: LoyaltyProgram.RefundShortfall
    ) -> (taken: Int64, forgiven: Int64) {
        guard count > 0 else { return (0, 0) }
        var taken = takeFromOrderLot(count, orderFingerprint: orderFingerprint, at: instant)
        taken += consume(count - taken, at: instant)
        let missing = count - taken
        guard missing > 0 else { return (taken, 0) }
        switch shortfall {
        case .clampAtZero:
            return (taken, missing)
        case .allowNegative:
            pointsDebt += missing
            return (count, 0)
        }
    }

    private mutating func dropEmptyLots() {
        lots.removeAll { $0.remaining == 0 && $0.writtenOff == 0 }
    }
}
