import CustomerLedger
import Foundation
import Testing

/// A small CNY ledger for the analysis commands, written through the library.
///
/// The program earns 1 point per yuan, available at once and expiring 30 days later, and moves
/// a 29 February birthday to 1 March in common years. The customers, as of the latest event,
/// 2024-03-10, which the commands take when `--as-of` is absent:
/// - 1 张伟, 上海市 上海市, born 1990-03-15: 150 CNY on 2024-01-10 (TEA ×2 at 50, CUP at 50)
///   and 80 CNY on 2024-03-01 (TEA at 80), whose 80 points expire on 2024-03-31.
/// - 2 李娜, 浙江省 杭州市, born 2000-02-29: 300 CNY on 2024-02-05 (POT), 100 CNY of it refunded
///   on 2024-03-05, and a complaint with rating 2 by online review on 2024-03-06.
/// - 3 王芳, 浙江省 宁波市: 20 CNY on 2024-01-20 (CUP) and a survey rating of 5 on 2024-01-25.
/// - 4, registered on 2024-03-10 without a province or purchases.
enum AnalysisFixture {
    static let latestEvent = "2024-03-10"

    static var program: LoyaltyProgram {
        var program = LoyaltyProgram(currency: .cny)
        program.expiry = .afterDays(30)
        program.birthday = BirthdayReward(points: 100, leapDayInCommonYears: .march1)
        return program
    }

    /// Writes the fixture into a new ledger at `path` and closes it before the CLI opens it.
    static func write(at path: String) throws {
        let ledger = try Ledger(path: path, options: .init(program: program, masterKey: TestKey.key))
        func instant(_ text: String) throws -> Timestamp {
            try #require(Timestamp(parsing: text), "invalid test instant '\(text)'")
        }
        func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }
        func customer(_ id: UInt64) throws -> CustomerID { try #require(CustomerID(id)) }
        func registration(
            _ id: UInt64, _ date: String, name: String, province: String = "", city: String = "", birthday: CivilDate? = nil
        ) throws -> NewEvent {
            NewEvent(
                customerID: try customer(id), occurredAt: try instant(date),
                payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(
                    name: name, birthday: birthday, province: province, city: city))))
        }
        func purchase(_ id: UInt64, _ date: String, order: String, _ minorUnits: Int64, items: [LineItem]) throws -> NewEvent {
            NewEvent(
                customerID: try customer(id), occurredAt: try instant(date),
                payload: .purchaseRecorded(PurchaseRecorded(orderID: order, amount: cny(minorUnits), lineItems: items)))
        }
        func feedback(_ id: UInt64, _ date: String, _ channel: FeedbackRecorded.Channel, rating: Int, complaint: Bool) throws
            -> NewEvent
        {
            NewEvent(
                customerID: try customer(id), occurredAt: try instant(date),
                payload: .feedbackRecorded(FeedbackRecorded(channel: channel, rating: rating, isComplaint: complaint, text: "意见")))
        }

        try ledger.append([
            try registration(1, "2024-01-01", name: "张伟", province: "上海市", city: "上海市",
                             birthday: CivilDate(year: 1990, month: 3, day: 15)),
            try registration(2, "2024-01-01", name: "李娜", province: "浙江省", city: "杭州市",
                             birthday: CivilDate(year: 2000, month: 2, day: 29)),
            try registration(3, "2024-01-01", name: "王芳", province: "浙江省", city: "宁波市"),
            try purchase(1, "2024-01-10", order: "O1-1", 15_000, items: [
                LineItem(sku: "TEA", quantity: 2, unitPrice: 5_000), LineItem(sku: "CUP", quantity: 1, unitPrice: 5_000),
            ]),
            try purchase(3, "2024-01-20", order: "O3-1", 2_000, items: [LineItem(sku: "CUP", quantity: 1, unitPrice: 2_000)]),
            try feedback(3, "2024-01-25", .survey, rating: 5, complaint: false),
            try purchase(2, "2024-02-05", order: "O2-1", 30_000, items: [LineItem(sku: "POT", quantity: 1, unitPrice: 30_000)]),
            try purchase(1, "2024-03-01", order: "O1-2", 8_000, items: [LineItem(sku: "TEA", quantity: 1, unitPrice: 8_000)]),
            NewEvent(
                customerID: try customer(2), occurredAt: try instant("2024-03-05"),
                payload: .refundRecorded(RefundRecorded(orderID: "O2-1", amount: cny(10_000)))),
            try feedback(2, "2024-03-06", .onlineReview, rating: 2, complaint: true),
            try registration(4, "2024-03-10", name: "赵磊"),
        ])
    }
}

/// Suite trait that writes ``AnalysisFixture`` once for the suite; see `AnalysisFixtureLedger.database()`.
struct AnalysisFixtureTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            try AnalysisFixture.write(at: database)
            try await AnalysisFixtureLedger.$current.withValue(database) { try await function() }
        }
    }
}

enum AnalysisFixtureLedger {
    @TaskLocal static var current: String?

    /// Returns the fixture ledger's folder, failing the test when the suite lacks the trait.
    static func database() throws -> String {
        try #require(current, "the suite needs the .analysisFixture trait")
    }
}

extension Trait where Self == AnalysisFixtureTrait {
    /// Writes ``AnalysisFixture`` once for the whole suite.
    static var analysisFixture: Self { Self() }
}
