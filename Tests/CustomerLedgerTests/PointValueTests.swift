import Foundation
import Testing

@testable import CustomerLedger

@Suite struct PointValueTests {
    @Test(arguments: [
        (Int64(250), Int64(750)),
        (Int64(-250), Int64(-750)),
        (Int64(0), Int64(0)),
        (Int64.max, Int64.max),
        (Int64.min, -Int64.max),
    ])
    func signedValueAtThreeFenPerPoint(points: Int64, expected: Int64) {
        let value = PointValue(points: 1, minorUnits: 3)

        #expect(value.signedValue(of: points) == expected)
    }

    @Test func signedValueRoundsTowardZero() {
        let value = PointValue(points: 2, minorUnits: 1)

        #expect(value.signedValue(of: 3) == 1)
        #expect(value.signedValue(of: -3) == -1)
        #expect(value.signedValue(of: -1) == 0)
    }

    /// A customer who spent points and then had the purchase refunded owes 80 points, which are
    /// worth a negative amount, not nothing.
    @Test func simulationValuesOwedPointsNegative() throws {
        var program = LoyaltyProgram(currency: .cny)
        program.refundShortfall = .allowNegative
        program.pointValue = PointValue(points: 100, minorUnits: 100)
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: program)
        try ledger.append([
            registration(customer: 1, at: time("2026-01-01")),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-02-01")),
            redemption(customer: 1, points: 80, at: time("2026-02-02")),
            refund(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-02-03")),
        ])

        let report = try ledger.simulate(program: program, asOf: time("2026-03-01"))

        #expect(report.currentPoints == -80)
        #expect(report.currentValue == -80)
        #expect(report.candidateValue == -80)
    }
}
