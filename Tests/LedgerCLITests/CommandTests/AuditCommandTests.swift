import CustomerLedger
import Foundation
import Testing

/// A CNY ledger with the default program whose customer 1 has profile updates, metadata and a
/// partial refund, for `history` and `--as-of-position`. Its positions:
///
/// 1. customer 1 registers on 2024-01-01 (phone p1, city 上海), by alice from crm
/// 2. customer 2 registers on 2024-01-03
/// 3. customer 1 buys A-1 for 200.00 on 2024-01-05, by pos-7 from pos, caused by event 1
/// 4. customer 1 changes phone to p2 and sets birthday 1990-02-28 on 2024-01-10
/// 5. customer 1 rates a survey 4 on 2024-01-15
/// 6. customer 1 changes name to `张 "伟"` and city to 杭州 on 2024-01-20
/// 7. customer 1 gets 50.00 of A-1 refunded on 2024-02-10
/// 8. customer 1 buys A-2 for 100.00 on 2024-02-20
/// 9. customer 2 buys B-1 for 50.00 on 2024-03-01
private enum AuditFixture {
    static let correlation = UUID(uuidString: "0190a000-0000-7000-8000-00000000c0de")!
    static let registrationID = UUID(uuidString: "0190a000-0000-7000-8000-000000000001")!

    static func makeLedger(in folder: String) throws -> String {
        let database = folder + "/ledger.db"
        let ledger = try Ledger(path: database, options: .init(program: LoyaltyProgram(currency: .cny), masterKey: TestKey.key))
        func instant(_ text: String) throws -> Timestamp { try #require(Timestamp(parsing: text)) }
        func event(_ id: UInt64, _ date: String, _ payload: EventPayload, metadata: EventMetadata = EventMetadata())
            throws -> NewEvent
        {
            NewEvent(customerID: try #require(CustomerID(id)), occurredAt: try instant(date), payload: payload, metadata: metadata)
        }
        func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

        var registration = try event(
            1, "2024-01-01",
            .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "张伟", phone: "p1", city: "上海"))),
            metadata: EventMetadata(actor: "alice", source: "crm", correlationID: correlation))
        registration.id = registrationID
        try ledger.append([
            registration,
            try event(2, "2024-01-03", .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "Li Na")))),
            try event(
                1, "2024-01-05", .purchaseRecorded(PurchaseRecorded(orderID: "A-1", amount: cny(20_000))),
                metadata: EventMetadata(actor: "pos-7", source: "pos", correlationID: correlation, causationID: registrationID)),
            try event(
                1, "2024-01-10",
                .profileUpdated(ProfileUpdated(changes: ProfileChanges(
                    phone: "p2", birthday: CivilDate(year: 1990, month: 2, day: 28))))),
            try event(1, "2024-01-15", .feedbackRecorded(FeedbackRecorded(channel: .survey, rating: 4, isComplaint: false))),
            try event(1, "2024-01-20", .profileUpdated(ProfileUpdated(changes: ProfileChanges(name: "张 \"伟\"", city: "杭州")))),
            try event(1, "2024-02-10", .refundRecorded(RefundRecorded(orderID: "A-1", amount: cny(5_000)))),
            try event(1, "2024-02-20", .purchaseRecorded(PurchaseRecorded(orderID: "A-2", amount: cny(10_000)))),
            try event(2, "2024-03-01", .purchaseRecorded(PurchaseRecorded(orderID: "B-1", amount: cny(5_000)))),
        ])
        return database
    }
}

/// Runs `body` with a new audit fixture ledger in a temporary folder.
private func withAuditLedger<Result>(_ body: (_ database: String) async throws -> Result) async throws -> Result {
    try await withTemporaryFolder { folder in try await body(try AuditFixture.makeLedger(in: folder)) }
}



@Suite("history filters and time travel by position")
struct AuditCommandTests {
    // MARK: history

    @Test func historyTextShowsMetadataAndChanges() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["history", "1"], database: database)

            #expect(result.status == 0, "\(result)")
            let lines = result.outputLines
            #expect(lines.count == 9)
            #expect(lines.first?.hasPrefix("POSITION  VER  OCCURRED    RECORDED") == true, "\(result)")
            #expect(lines.first?.contains("ACTOR  SOURCE  CORRELATION") == true, "\(result)")
            let purchase = try #require(lines.first { $0.contains("PurchaseRecorded") })
            #expect(purchase.contains("pos-7"))
            #expect(purchase.contains(AuditFixture.correlation.uuidString.lowercased()))
            #expect(purchase.contains(AuditFixture.registrationID.uuidString.lowercased()))
            #expect(lines.contains { $0.hasSuffix(#"phone "p1" → "p2", birthday none → 1990-02-28"#) }, "\(result)")
            #expect(lines.contains { $0.hasSuffix(#"name "张伟" → "张 \"伟\"", city "上海" → "杭州""#) }, "\(result)")
        }
    }

    @Test func historyJSONCarriesOldAndNewValues() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["history", "1", "--json", "--type", "ProfileUpdated"], database: database)

            #expect(result.status == 0, "\(result)")
            let events = try jsonLines(result)
            #expect(events.map { $0["position"] as? Int } == [4, 6])
            let changes = events.map { $0["changes"] as? [[String: String]] }
            #expect(changes[0] == [
                ["field": "phone", "old": "p1", "new": "p2"], ["field": "birthday", "old": "", "new": "1990-02-28"],
            ])
            #expect(changes[1] == [
                ["field": "name", "old": "张伟", "new": "张 \"伟\""], ["field": "city", "old": "上海", "new": "杭州"],
            ])
            #expect(events[0]["summary"] as? String == #"phone "p1" → "p2", birthday none → 1990-02-28"#)
        }
    }

    @Test func historyJSONKeepsMetadata() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["history", "1", "--json", "--type", "PurchaseRecorded"], database: database)

            #expect(result.status == 0, "\(result)")
            let events = try jsonLines(result)
            #expect(events.map { $0["position"] as? Int } == [3, 8])
            let first = try #require(events.first)
            #expect(first["actor"] as? String == "pos-7")
            #expect(first["source"] as? String == "pos")
            #expect(first["correlation_id"] as? String == AuditFixture.correlation.uuidString.lowercased())
            #expect(first["causation_id"] as? String == AuditFixture.registrationID.uuidString.lowercased())
            #expect(first["occurred_at"] as? String == "2024-01-05T00:00:00Z")
            #expect(first["recorded_at"] is String)
            #expect(first["changes"] == nil)
        }
    }

    @Test func historyTypeListFilters() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(
                ["history", "1", "--json", "--type", "PurchaseRecorded,FeedbackRecorded"], database: database)

            #expect(result.status == 0, "\(result)")
            let types = try jsonLines(result).map { $0["type"] as? String }
            #expect(types == ["PurchaseRecorded", "FeedbackRecorded", "PurchaseRecorded"])
        }
    }

    @Test(arguments: ["Purchase", "PurchaseRecorded,", "purchaserecorded"])
    func historyUnknownTypeRejected(name: String) async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["history", "1", "--type", name], database: database)

            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("unknown event type"), "\(result)")
            let names = EventType.allCases.map(\.description).joined(separator: ", ")
            #expect(result.standardError.contains(names), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
        }
    }

    @Test func historyRangeIncludesFromExcludesTo() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(
                ["history", "1", "--json", "--from", "2024-01-10", "--to", "2024-02-10"], database: database)

            #expect(result.status == 0, "\(result)")
            let occurred = try jsonLines(result).map { $0["occurred_at"] as? String }
            #expect(occurred == ["2024-01-10T00:00:00Z", "2024-01-15T00:00:00Z", "2024-01-20T00:00:00Z"])
        }
    }

    @Test func historyFiltersThenLimits() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(
                ["history", "1", "--json", "--from", "2024-01-05", "--type", "ProfileUpdated,RefundRecorded", "--limit", "2"],
                database: database)

            #expect(result.status == 0, "\(result)")
            #expect(try jsonLines(result).map { $0["position"] as? Int } == [4, 6])
        }
    }

    @Test func historyNoMatchExitsZero() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["history", "2", "--type", "RefundRecorded"], database: database)
            let json = try await LedgerProcess.run(["history", "2", "--type", "RefundRecorded", "--json"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput == "customer 2 has no events that match the filters\n")
            #expect(json.status == 0, "\(json)")
            #expect(json.standardOutput.isEmpty, "\(json)")
        }
    }

    @Test(arguments: [
        (["history", "1", "--from", "2024-02-01", "--to", "2024-02-01"], "is not later than --from"),
        (["history", "1", "--from", "2024-13-01"], "invalid time '2024-13-01' for --from"),
        (["history", "1", "--to", "yesterday"], "invalid time 'yesterday' for --to"),
    ])
    func historyInvalidRangeRejected(arguments: [String], message: String) async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(arguments, database: database)

            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains(message), "\(result)")
        }
    }

    // MARK: --as-of-position

    @Test func customerAsOfPositionJSON() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["customer", "1", "--as-of-position", "7", "--json"], database: database)

            #expect(result.status == 0, "\(result)")
            let customer = try jsonObject(result)
            #expect(customer["version"] as? Int == 6)
            #expect(customer["last_position"] as? Int == 7)
            #expect(customer["as_of_position"] as? Int == 7)
            #expect(customer["as_of"] as? String == "2024-02-10T00:00:00Z")
            #expect(customer["purchase_count"] as? Int == 1)
            let spend = (customer["spend"] as? [[String: Any]])?.first
            #expect(spend?["net_minor_units"] as? Int == 15_000)
            let points = customer["points_as_of"] as? [String: Any]
            #expect(points?["available"] as? Int == 150)
            let tier = customer["tier"] as? [String: Any]
            #expect(tier?["name"] as? String == "ordinary")
        }
    }

    @Test func customerAsOfPositionText() async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["customer", "1", "--as-of-position", "8"], database: database)

            #expect(result.status == 0, "\(result)")
            let lines = result.outputLines
            #expect(lines.contains("as of         position 8: the customer's events up to it, evaluated at their latest occurred-at, 2024-02-20"))
            #expect(lines.contains("net spend     250.00 CNY"), "\(result)")
            #expect(lines.contains("tier          core as of 2024-02-20"), "\(result)")
        }
    }

    @Test func customerBeforeRegistrationPosition() async throws {
        try await withAuditLedger { database in
            let text = try await LedgerProcess.run(["customer", "2", "--as-of-position", "1"], database: database)
            let json = try await LedgerProcess.run(["customer", "2", "--as-of-position", "1", "--json"], database: database)

            #expect(text.status == 0, "\(text)")
            #expect(text.outputLines.contains(
                "tier          none as of position 1: not registered until then; its first event is at position 2"), "\(text)")
            #expect(json.status == 0, "\(json)")
            let customer = try jsonObject(json)
            #expect(customer["tier"] is NSNull)
            #expect(customer["as_of"] is NSNull)
            #expect(customer["as_of_position"] as? Int == 1)
        }
    }

    @Test func pointsAsOfPosition() async throws {
        try await withAuditLedger { database in
            let json = try await LedgerProcess.run(["points", "1", "--as-of-position", "7", "--json"], database: database)
            let text = try await LedgerProcess.run(["points", "1", "--as-of-position", "7"], database: database)

            #expect(json.status == 0, "\(json)")
            let points = try jsonObject(json)
            #expect(points["as_of"] as? String == "2024-02-10T00:00:00Z")
            #expect(points["as_of_position"] as? Int == 7)
            #expect(points["earned"] as? Int == 200)
            #expect(points["reversed"] as? Int == 50)
            #expect(points["available"] as? Int == 150)
            #expect(text.status == 0, "\(text)")
            #expect(text.outputLines.first == "customer 1, points as of 2024-02-10 (position 7)")
        }
    }

    @Test func tierAsOfPosition() async throws {
        try await withAuditLedger { database in
            let before = try await LedgerProcess.run(["tier", "1", "--as-of-position", "7", "--json"], database: database)
            let after = try await LedgerProcess.run(["tier", "1", "--as-of-position", "8"], database: database)

            #expect(before.status == 0, "\(before)")
            let tier = try jsonObject(before)
            #expect(tier["tier"] as? String == "ordinary")
            #expect(tier["as_of_position"] as? Int == 7)
            #expect(tier["as_of"] as? String == "2024-02-10T00:00:00Z")
            #expect(after.status == 0, "\(after)")
            #expect(after.outputLines.first == "customer 1 holds core as of 2024-02-20 (position 8)")
        }
    }

    @Test(arguments: [["customer", "1"], ["points", "1"], ["tier", "1"]])
    func asOfAndPositionExclusive(command: [String]) async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(
                command + ["--as-of", "2024-02-01", "--as-of-position", "3"], database: database)

            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("--as-of and --as-of-position cannot be combined"), "\(result)")
        }
    }

    @Test(arguments: ["0", "-1", "abc", "1.5", "18446744073709551616"])
    func invalidPositionRejected(position: String) async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(["points", "1", "--as-of-position=\(position)"], database: database)

            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("invalid position '\(position)' for --as-of-position"), "\(result)")
        }
    }

    @Test(arguments: [["customer", "1"], ["points", "1"], ["tier", "1"]])
    func positionAfterLogNotFound(command: [String]) async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(command + ["--as-of-position", "10"], database: database)

            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("position 10 not found: the last position"), "\(result)")
            #expect(result.standardError.contains("is 9"), "\(result)")
        }
    }

    @Test(arguments: [["points", "2"], ["tier", "2"]])
    func positionBeforeRegistrationNotFound(command: [String]) async throws {
        try await withAuditLedger { database in
            let result = try await LedgerProcess.run(command + ["--as-of-position", "1"], database: database)

            #expect(result.status == 66, "\(result)")
            #expect(
                result.standardError.contains(
                    "customer 2 has no events at or before position 1; its first event is at position 2"), "\(result)")
        }
    }
}
