import Foundation
import Testing

@testable import CustomerLedger

/// Returns the inputs in `Tests/Fuzz/Regressions/TARGET`, each a file that once made the fuzz
/// target `TARGET` of scripts/fuzz crash or report a sanitizer error, sorted by name.
func fuzzRegressionInputs(_ target: String, testFile: String = #filePath) throws -> [(name: String, bytes: [UInt8])] {
    let folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Regressions/\(target)")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    return try names.map { name in (name, Array(try Data(contentsOf: folder.appendingPathComponent(name)))) }
}

/// The inputs that the fuzz targets in the CustomerLedger module found. A parser's input runs
/// through the same entry point as in scripts/fuzz. An input of `ledger-operations` is reproduced
/// by a test that appends the events which the input decodes to. Each must give the result
/// listed here, a clear error or a value, and never a crash. A sanitizer report, such as a leak, shows
/// only when scripts/fuzz replays the input: `scripts/fuzz TARGET --replay Tests/Fuzz/Regressions/TARGET/*`.
@Suite struct FuzzRegressionTests {
    /// The expected error of each key-file input, after `key file 'PATH': `.
    static let keyFileErrors = [
        // FileManager.contents(atPath:) leaked 4,096 bytes reading an empty file.
        "empty-file": "it is not a ledger key file: expected one line of 64 hex digits; create one with 'ledger keygen FILE'"
    ]

    @Test func keyFileInputsRejected() throws {
        let inputs = try fuzzRegressionInputs("key-file")
        #expect(inputs.map(\.name) == Self.keyFileErrors.keys.sorted(), "every regression input needs an expected error")
        let directory = try TemporaryDirectory()
        for input in inputs {
            let path = directory.path + "/" + input.name
            #expect(FileManager.default.createFile(atPath: path, contents: Data(input.bytes), attributes: [.posixPermissions: 0o600]))

            let error = #expect(throws: PrivacyError.self, "\(input.name)") { try MasterKey(contentsOfFile: path) }

            #expect(error == .keyFile(path: path, Self.keyFileErrors[input.name] ?? ""), "\(input.name)")
        }
    }

    /// The test that reproduces each ledger-operations input.
    static let ledgerOperationsTests = [
        "liability-point-value-overflow": "liabilityValueSaturates",
        "simulate-candidate-points-overflow": "simulationCapsCandidatePoints",
    ]

    @Test func ledgerOperationsInputsReproduced() throws {
        let inputs = try fuzzRegressionInputs("ledger-operations")

        #expect(inputs.map(\.name) == Self.ledgerOperationsTests.keys.sorted(), "every regression input needs a test")
    }

    /// Returns a program at 4 points per yuan whose 100 points are worth 10,000,000.00 CNY, the
    /// highest point value that a program file allows.
    static func costlyPointsProgram(pendingDays: Int64) -> LoyaltyProgram {
        var program = LoyaltyProgram(currency: .cny, pointsPerUnit: 4)
        program.pointValue = PointValue(points: 100, minorUnits: 1_000_000_000)
        program.pendingDays = pendingDays
        program.redemption.maximumOrderPercent = 50
        return program
    }

    /// The largest purchase a ledger accepts, 10¹⁵ − 1 fen, which earns 39,999,999,999,999 points.
    static let largestPurchase = Money(minorUnits: 999_999_999_999_999, currency: .cny)

    /// Opens a ledger of ``costlyPointsProgram(pendingDays:)`` at `path` where customer 1 made
    /// ``largestPurchase`` on 2025-01-02.
    static func ledgerWithLargestPurchase(at path: String, pendingDays: Int64) throws -> Ledger {
        let ledger = try openLedger(at: path, program: costlyPointsProgram(pendingDays: pendingDays))
        try ledger.append([
            registration(customer: 1, at: time("2025-01-01")),
            purchase(customer: 1, order: "SO-1", amount: largestPurchase, at: time("2025-01-02")),
        ])
        return ledger
    }

    @Test func liabilityValueSaturates() throws {
        // The points are worth about 4 × 10²⁰ fen, beyond Int64, which trapped in liability(asOf:).
        let directory = try TemporaryDirectory()
        let ledger = try Self.ledgerWithLargestPurchase(at: directory.path + "/db", pendingDays: 14)

        let whilePending = try ledger.liability(asOf: time("2025-01-03"))
        let onceAvailable = try ledger.liability(asOf: time("2025-02-01"))
        let simulated = try ledger.simulate(program: try ledger.program(), asOf: time("2025-02-01"))

        #expect(whilePending.pending == 39_999_999_999_999)
        #expect(whilePending.pendingValue == Int64.max)
        #expect(onceAvailable.available == 39_999_999_999_999)
        #expect(onceAvailable.heldValue == Int64.max)
        #expect(simulated.currentValue == Int64.max)
        #expect(simulated.candidateValue == Int64.max)
    }

    @Test func redemptionValueSaturates() throws {
        // The same points redeemed against the order trapped in the business rule instead.
        let directory = try TemporaryDirectory()
        let ledger = try Self.ledgerWithLargestPurchase(at: directory.path + "/db", pendingDays: 0)
        let redemption = NewEvent(
            customerID: customer(1), occurredAt: time("2025-01-03"),
            payload: .pointsRedeemed(PointsRedeemed(points: 39_999_999_999_999, reward: "voucher", orderID: "SO-1")))

        try expectRuleViolation(
            ledger, [redemption],
            reason: "39999999999999 points are worth at least 92233720368547758.07 CNY, more than 50% of what remains of order 'SO-1' (4999999999999.99 CNY)")
    }

    @Test func simulationCapsCandidatePoints() throws {
        // Under the candidate, the purchase would earn 10²² points, which saturated to Int64.max
        // and overflowed when added to the adjustment's 500 points in pointsStatement(asOf:).
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: LoyaltyProgram(currency: .cny))
        let order = PurchaseRecorded(
            orderID: "SO-1", amount: Money(minorUnits: 1_000_000_000_000_000, currency: .cny),
            lineItems: [LineItem(sku: "TEA-1", quantity: 1, unitPrice: 1_000_000_000_000_000)])
        try ledger.append([
            registration(customer: 1, at: time("2025-01-01")),
            adjustment(customer: 1, points: 500, at: time("2025-01-02")),
            NewEvent(customerID: customer(1), occurredAt: time("2025-01-03"), payload: .purchaseRecorded(order)),
        ])
        var candidate = LoyaltyProgram(currency: .cny, pointsPerUnit: 1_000, tiers: [TierRule(name: "member", multiplier: 100_000)])
        candidate.skuMultipliers = ["TEA-1": 100_000]

        let report = try ledger.simulate(program: candidate, asOf: time("2025-02-01"))

        #expect(report.currentPoints == 10_000_000_000_000 + 500)
        // The candidate earns at most 10¹⁵ points per event, as the business rules allow an append.
        #expect(report.candidatePoints == 1_000_000_000_000_000 + 500)
    }

    @Test(arguments: [
        (Int64(10), Int64(3), Int64(4), Int64(7)),
        (Int64.max, Int64.max, Int64.max, Int64.max),
        (1_000_000_000_000_000, 1_000_000_000, 1, Int64.max),
        (Int64.max, 50, 100, Int64.max / 2),
    ])
    func proportionSaturates(value: Int64, numerator: Int64, denominator: Int64, expected: Int64) {
        #expect(ProjectionWorkspace.proportion(value, numerator: numerator, denominator: denominator) == expected)
    }
}
