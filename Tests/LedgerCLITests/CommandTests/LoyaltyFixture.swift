import CustomerLedger
import Foundation
import Testing

/// A small CNY ledger whose program has pending points, expiry, a grace period and a birthday
/// reward, written through the library so that the loyalty commands have every case to show.
///
/// The program earns 1 point per yuan. Points are pending for 14 days and expire 90 days after
/// they become available. A tier is kept 30 days after last qualifying, and the birthday pays
/// 100 points. The ladder is the default one over the trailing 365 days: core from 100 CNY and
/// 2 purchases, VIP from 500 CNY, 4 purchases and 180 days of tenure.
///
/// The customers, and what the tests expect of them as of the latest event, 2024-03-10:
/// - 1, born 1990-03-15: 150 CNY on 2024-01-10 and 80 CNY on 2024-03-01. Core; 150 points
///   available until 2024-04-23 and 80 pending until 2024-03-15, expiring 2024-06-13.
/// - 2: 60 CNY on 2023-02-01 and on 2023-03-01. Core by grace on 2024-02-15; its 120 points
///   expired in 2023 (lots available 2023-02-15 and 2023-03-15, 90 days each).
/// - 3: registered on 2024-03-10, the latest event in the log, with no purchases.
/// - 4: bought for 100 CNY on 2023-06-01, redeemed the 100 points, then the order was refunded,
///   so the customer owes 100 points.
enum LoyaltyFixture {
    /// The occurred-at of the latest event, which the commands take when `--as-of` is absent.
    static let latestEvent = "2024-03-10"
    /// The number of events the fixture writes.
    static let eventCount = 11

    static var program: LoyaltyProgram {
        var program = LoyaltyProgram(currency: .cny)
        program.pendingDays = 14
        program.expiry = .afterDays(90)
        program.downgradeGraceDays = 30
        program.birthday = BirthdayReward(points: 100)
        return program
    }

    /// Writes the fixture into a new ledger at `path`. The `Ledger` is released on return, which
    /// closes the LMDB environment before the CLI opens the same folder.
    static func write(at path: String) throws {
        let ledger = try Ledger(path: path, options: .init(program: program, masterKey: TestKey.key))
        func instant(_ text: String) throws -> Timestamp {
            try #require(Timestamp(parsing: text), "invalid test instant '\(text)'")
        }
        func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }
        func customer(_ id: UInt64) throws -> CustomerID { try #require(CustomerID(id)) }
        func registration(_ id: UInt64, _ date: String, name: String, birthday: CivilDate? = nil) throws -> NewEvent {
            NewEvent(
                customerID: try customer(id), occurredAt: try instant(date),
                payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: name, birthday: birthday))))
        }
        func purchase(_ id: UInt64, _ date: String, order: String, _ minorUnits: Int64) throws -> NewEvent {
            NewEvent(
                customerID: try customer(id), occurredAt: try instant(date),
                payload: .purchaseRecorded(PurchaseRecorded(orderID: order, amount: cny(minorUnits))))
        }

        try ledger.append([
            try registration(1, "2024-01-01", name: "张伟", birthday: CivilDate(year: 1990, month: 3, day: 15)),
            try purchase(1, "2024-01-10", order: "C1-1", 15_000),
            try purchase(1, "2024-03-01", order: "C1-2", 8_000),
            try registration(2, "2023-01-01", name: "Li Na"),
            try purchase(2, "2023-02-01", order: "C2-1", 6_000),
            try purchase(2, "2023-03-01", order: "C2-2", 6_000),
            try registration(3, "2024-03-10", name: "Bob", birthday: CivilDate(year: 1985, month: 7, day: 1)),
            try registration(4, "2023-06-01", name: "Wang Fang"),
            try purchase(4, "2023-06-01", order: "C4-1", 10_000),
            NewEvent(
                customerID: try customer(4), occurredAt: try instant("2023-06-20"),
                payload: .pointsRedeemed(PointsRedeemed(points: 100, reward: "voucher"))),
            NewEvent(
                customerID: try customer(4), occurredAt: try instant("2023-06-25"),
                payload: .refundRecorded(RefundRecorded(orderID: "C4-1", amount: cny(10_000)))),
        ])
    }

    /// Writes the fixture into `folder`/ledger.db and returns that path.
    static func makeLedger(in folder: String) throws -> String {
        let database = folder + "/ledger.db"
        try write(at: database)
        return database
    }

    /// Returns the number of events in the ledger at `database`, read with `ledger stats --json`.
    static func eventCount(of database: String) async throws -> Int {
        let result = try await LedgerProcess.run(["stats", "--json"], database: database)
        guard result.status == 0 else { throw LedgerProcessError(description: "stats failed: \(result)") }
        return try decodeOutput(StatsOutput.self, from: result).events
    }

    /// Writes `contents` to `name` in `folder` and returns the file's path.
    static func writeFile(_ contents: String, named name: String, in folder: String) throws -> String {
        let path = folder + "/" + name
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A candidate program for `simulate`: a lifetime window, no pending period or expiry, and a
    /// ladder of ordinary, core from 1 purchase and gold from 200.00 CNY and 2 purchases.
    static let candidateProgram = """
        {
          "currency": "CNY",
          "tiers": {
            "window": "lifetime",
            "ladder": [
              {"name": "ordinary"},
              {"name": "core", "min_purchases": 1},
              {"name": "gold", "min_net_spend": "200.00", "min_purchases": 2}
            ]
          }
        }
        """
}
