/// The amount, refunds and points of one order, which refund checks and point reversals need.
struct OrderRecord: Equatable, Sendable {
    var amount: Money
    var refunded: Int64
    /// Points the order earned under the per-order scope, or 0 under the cumulative scope.
    var pointsEarned: Int64
    var pointsReversed: Int64

    var refundable: Int64 { amount.minorUnits - refunded }

    /// Returns the refunded share of the points earned, rounded down, so that all refunds of an
    /// order together never take back more than it earned.
    func reversedPoints(afterRefunding refunded: Int64) -> Int64 {
        ProjectionWorkspace.proportion(pointsEarned, numerator: refunded, denominator: amount.minorUnits)
    }
}
