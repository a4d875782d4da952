import CustomerLedger
import Foundation
import Testing

@testable import LedgerCommandLine

/// A CNY ledger with personal data in every personal field, written through the library with
/// ``TestKey/key``. Its positions:
///
/// 1. customer 1 (张伟, phone 13900001111, zhang.wei@example.com, born 1990-03-15, 上海市 上海市,
///    address 长宁区愚园路 1 号) registers on 2024-01-01
/// 2. customer 1 buys P-1001 for 300.00 on 2024-01-05
/// 3. customer 1 changes phone to 13800135678 and city to 杭州市 on 2024-01-10
/// 4. customer 1 files a survey complaint, rating 2, text 送货太慢了, on 2024-01-15
/// 5. customer 2 (Li Na, phone 13712345678) registers on 2024-01-02
/// 6. customer 2 buys P-2001 for 80.00 on 2024-01-06
/// 7. customer 2 is erased on 2024-02-01
private enum PrivacyFixture {
    static let name = "张伟"
    static let phone = "13800135678"
    static let maskedPhone = "138****5678"
    static let previousPhone = "13900001111"
    static let email = "zhang.wei@example.com"
    static let maskedEmail = "z***@example.com"
    static let address = "长宁区愚园路 1 号"
    static let feedback = "送货太慢了"
    static let erasedName = "Li Na"
    static let erasedPhone = "13712345678"

    /// Every personal value of the fixture. An output for a role or a key that may not see
    /// personal data contains none of them.
    static let personalValues = [name, phone, previousPhone, email, address, feedback, erasedName, erasedPhone, "1990-03-15"]

    static func makeLedger(in folder: String) throws -> String {
        let database = folder + "/ledger.db"
        let ledger = try Ledger(path: database, options: .init(program: LoyaltyProgram(currency: .cny), masterKey: TestKey.key))
        func instant(_ text: String) throws -> Timestamp { try #require(Timestamp(parsing: text)) }
        func event(_ id: UInt64, _ date: String, _ payload: EventPayload) throws -> NewEvent {
            NewEvent(customerID: try #require(CustomerID(id)), occurredAt: try instant(date), payload: payload)
        }
        func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

        try ledger.append([
            try event(1, "2024-01-01", .customerRegistered(CustomerRegistered(profile: CustomerProfile(
                name: name, phone: previousPhone, email: email, birthday: CivilDate(year: 1990, month: 3, day: 15),
                province: "上海市", city: "上海市", address: address)))),
            try event(1, "2024-01-05", .purchaseRecorded(PurchaseRecorded(orderID: "P-1001", amount: cny(30_000)))),
            try event(1, "2024-01-10", .profileUpdated(ProfileUpdated(changes: ProfileChanges(phone: phone, city: "杭州市")))),
            try event(1, "2024-01-15", .feedbackRecorded(FeedbackRecorded(
                channel: .survey, rating: 2, isComplaint: true, text: feedback))),
            try event(2, "2024-01-02", .customerRegistered(CustomerRegistered(profile: CustomerProfile(
                name: erasedName, phone: erasedPhone, province: "浙江省", city: "杭州市")))),
            try event(2, "2024-01-06", .purchaseRecorded(PurchaseRecorded(orderID: "P-2001", amount: cny(8_000)))),
        ])
        try ledger.erase(try #require(CustomerID(2)), reason: "request DSR-7", at: try instant("2024-02-01"))
        return database
    }
}

/// Runs `body` with a new privacy fixture ledger in a temporary folder, and the folder.
private func withPrivacyLedger<Result>(
    _ body: (_ database: String, _ folder: String) async throws -> Result
) async throws -> Result {
    try await withTemporaryFolder { folder in try await body(try PrivacyFixture.makeLedger(in: folder), folder) }
}



/// Returns the personal values of the fixture that `text` contains.
private func leakedValues(in text: String) -> [String] {
    PrivacyFixture.personalValues.filter { text.contains($0) }
}

/// Returns the output of `ledger head --json` and the bytes of data.mdb, to show that a
/// command wrote nothing.
private func snapshot(of database: String) async throws -> (head: String, data: Data) {
    let head = try await LedgerProcess.run(["head", "--json"], database: database)
    guard head.status == 0 else { throw LedgerProcessError(description: "head failed: \(head)") }
    let data = try Data(contentsOf: URL(fileURLWithPath: database + "/data.mdb"))
    return (head.standardOutput, data)
}

/// Returns the permission bits of the file or folder at `path`.
private func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int, "no permissions for \(path)")
}

/// Writes a CDNOW file of one purchase by customer 9, which a writable ledger would append,
/// and returns its path.
private func writeCDNOWFile(in folder: String) throws -> String {
    let path = folder + "/cdnow.txt"
    try " customer_id  date number_of_cds  dollar_value\n 00009 19970101  1   11.77\n"
        .write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The key of ``TestKey/key`` as the 64 hex digits of its key file.
private let testKeyHex = Array(UInt8(1)...UInt8(32)).map { String(format: "%02x", $0) }.joined()

/// The environment of a run without a master key.
private let withoutKey = ["LEDGER_KEY_FILE": ""]

@Suite("personal data: encryption at rest and roles")
struct PrivacyRoleCommandTests {
    @Test func dataFileHoldsNoPersonalDataInClear() throws {
        try withTemporaryFolder { folder in
            let database = try PrivacyFixture.makeLedger(in: folder)
            let data = try Data(contentsOf: URL(fileURLWithPath: database + "/data.mdb"))

            for value in PrivacyFixture.personalValues where value != "1990-03-15" {
                #expect(data.range(of: Data(value.utf8)) == nil, "'\(value)' is in data.mdb in clear")
            }
            // The search finds what is kept in clear, so the absences above mean something.
            #expect(data.range(of: Data("P-1001".utf8)) != nil)
            #expect(data.range(of: Data("上海市".utf8)) != nil)
        }
    }

    @Test func adminSeesEveryPersonalField() async throws {
        try await withPrivacyLedger { database, _ in
            let customer = try await LedgerProcess.run(["customer", "1"], database: database)
            let history = try await LedgerProcess.run(["history", "1"], database: database)
            let json = try await LedgerProcess.run(["customer", "1", "--json"], database: database)

            #expect(customer.status == 0, "\(customer)")
            for line in [
                "name          张伟", "phone         13800135678", "email         zhang.wei@example.com",
                "birthday      1990-03-15", "address       长宁区愚园路 1 号", "region        上海市 杭州市",
            ] {
                #expect(customer.outputLines.contains(line), "missing '\(line)' in \(customer)")
            }
            #expect(history.status == 0, "\(history)")
            #expect(history.outputLines.contains { $0.hasSuffix(#"phone "13900001111" → "13800135678", city "上海市" → "杭州市""#) }, "\(history)")
            #expect(history.outputLines.contains { $0.hasSuffix(#"survey rating 2/5, complaint: "送货太慢了""#) }, "\(history)")
            #expect(try jsonObject(json)["personal_data"] as? String == "shown")
        }
    }

    @Test func supportSeesMaskedPhoneAndEmail() async throws {
        try await withPrivacyLedger { database, _ in
            let customer = try await LedgerProcess.run(["customer", "1", "--role", "support"], database: database)
            let history = try await LedgerProcess.run(["history", "1", "--role", "support"], database: database)

            #expect(customer.status == 0, "\(customer)")
            #expect(customer.outputLines.contains("name          张伟"), "\(customer)")
            #expect(customer.outputLines.contains("phone         \(PrivacyFixture.maskedPhone)"), "\(customer)")
            #expect(customer.outputLines.contains("email         \(PrivacyFixture.maskedEmail)"), "\(customer)")
            #expect(!customer.standardOutput.contains(PrivacyFixture.phone))
            #expect(!customer.standardOutput.contains(PrivacyFixture.email))
            #expect(history.status == 0, "\(history)")
            #expect(history.outputLines.contains { $0.hasSuffix(#"phone "139****1111" → "138****5678", city "上海市" → "杭州市""#) }, "\(history)")
            #expect(!history.standardOutput.contains(PrivacyFixture.phone))
            #expect(!history.standardOutput.contains(PrivacyFixture.previousPhone))
        }
    }

    @Test func supportHistoryJSONMasks() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(
                ["history", "1", "--json", "--type", "CustomerRegistered"], database: database, environment: ["LEDGER_ROLE": "support"])

            #expect(result.status == 0, "\(result)")
            let registration = try #require(try jsonLines(result).first)
            let payload = try #require(registration["payload"] as? [String: Any])
            #expect(registration["personal_data"] as? String == "masked")
            #expect(payload["phone"] as? String == "139****1111")
            #expect(payload["email"] as? String == PrivacyFixture.maskedEmail)
            #expect(payload["name"] as? String == PrivacyFixture.name)
        }
    }

    @Test func analystCustomerShowsNoPersonalData() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(["customer", "1", "--role", "analyst"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines.contains("name          withheld (analyst role)"), "\(result)")
            for label in ["phone", "email", "birthday", "address"] {
                #expect(!result.outputLines.contains { $0.hasPrefix(label + " ") }, "\(label) shown to an analyst: \(result)")
            }
            #expect(result.outputLines.contains("region        上海市 杭州市"), "\(result)")
            #expect(result.outputLines.contains("net spend     300.00 CNY"), "\(result)")
            #expect(leakedValues(in: result.standardOutput) == [])
        }
    }

    @Test func analystCustomerJSONWithholds() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(["customer", "1", "--json", "--role", "analyst"], database: database)

            #expect(result.status == 0, "\(result)")
            let customer = try jsonObject(result)
            let profile = try #require(customer["profile"] as? [String: Any])
            #expect(customer["personal_data"] as? String == "withheld (analyst role)")
            #expect(profile["name"] as? String == "")
            #expect(profile["phone"] as? String == "")
            #expect(profile["city"] as? String == "杭州市")
            #expect(leakedValues(in: result.standardOutput) == [])
        }
    }

    @Test func analystHistoryTableWithholds() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(["history", "1", "--role", "analyst"], database: database)

            #expect(result.status == 0, "\(result)")
            let lines = result.outputLines
            #expect(lines.contains { $0.hasSuffix("registered: personal data withheld (analyst role), region 上海市 上海市") }, "\(result)")
            #expect(lines.contains { $0.hasSuffix(#"phone withheld (analyst role), city "上海市" → "杭州市""#) }, "\(result)")
            #expect(lines.contains { $0.hasSuffix("survey rating 2/5, complaint, text withheld (analyst role)") }, "\(result)")
            #expect(!result.standardOutput.contains(#""""#), "empty quotes in \(result)")
            #expect(leakedValues(in: result.standardOutput) == [])
        }
    }

    @Test func analystHistoryJSONWithholds() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(["history", "1", "--json", "--role", "analyst"], database: database)

            #expect(result.status == 0, "\(result)")
            let events = try jsonLines(result)
            #expect(events.map { $0["personal_data"] as? String } == [
                "withheld (analyst role)", "none", "withheld (analyst role)", "withheld (analyst role)",
            ])
            let feedback = try #require(events.last?["payload"] as? [String: Any])
            #expect(feedback["text"] as? String == "")
            #expect(events[2]["summary"] as? String == #"phone withheld (analyst role), city "上海市" → "杭州市""#)
            #expect(leakedValues(in: result.standardOutput) == [])
        }
    }

    @Test func roleFromEnvironment() async throws {
        try await withPrivacyLedger { database, _ in
            let support = try await LedgerProcess.run(["customer", "1"], database: database, environment: ["LEDGER_ROLE": "support"])
            let analyst = try await LedgerProcess.run(["customer", "1"], database: database, environment: ["LEDGER_ROLE": "analyst"])
            let overridden = try await LedgerProcess.run(
                ["customer", "1", "--role", "admin"], database: database, environment: ["LEDGER_ROLE": "analyst"])

            #expect(support.outputLines.contains("phone         \(PrivacyFixture.maskedPhone)"), "\(support)")
            #expect(analyst.outputLines.contains("name          withheld (analyst role)"), "\(analyst)")
            #expect(overridden.outputLines.contains("phone         \(PrivacyFixture.phone)"), "\(overridden)")
        }
    }

    @Test(arguments: [
        (["customer", "1", "--role", "auditor"], [String: String](), "invalid role 'auditor' for --role"),
        (["customer", "1"], ["LEDGER_ROLE": "Admin"], "invalid role 'Admin' for LEDGER_ROLE"),
        (["history", "1", "--role", ""], [:], "invalid"),
    ])
    func invalidRoleExits64(arguments: [String], environment: [String: String], message: String) async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(arguments, database: database, environment: environment)

            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains(message), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
        }
    }

    @Test func erasedCustomerShowsErasure() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(["customer", "2"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines.contains("name          withheld (erased)"), "\(result)")
            #expect(result.outputLines.contains { $0.hasPrefix("erased        occurred at 2024-02-01, recorded at ") }, "\(result)")
            #expect(
                result.outputLines.contains { $0.hasSuffix(": personal data destroyed, no further events accepted") }, "\(result)")
            #expect(result.outputLines.contains("net spend     80.00 CNY"), "\(result)")
            #expect(leakedValues(in: result.standardOutput) == [])
        }
    }

    @Test func topNameColumnShowsWithheld() async throws {
        try await withPrivacyLedger { database, _ in
            let admin = try await LedgerProcess.run(["top"], database: database)
            let analyst = try await LedgerProcess.run(["top", "--role", "analyst"], database: database)
            let json = try await LedgerProcess.run(["top", "--json"], database: database, environment: withoutKey)

            #expect(admin.status == 0, "\(admin)")
            #expect(admin.outputLines[2].contains("  张伟  "), "\(admin)")
            #expect(admin.outputLines[3].contains("  withheld (erased)  "), "\(admin)")
            // The net spend column ends at the same display column on every line, Chinese name or not.
            let header = try #require(admin.outputLines.first?.range(of: "NET SPEND"), "\(admin)")
            let headerEnd = DisplayWidth.of(admin.outputLines[0][..<header.upperBound])
            for line in admin.outputLines.dropFirst(2) {
                let amount = try #require(line.range(of: " CNY"), "\(admin)")
                #expect(DisplayWidth.of(line[..<amount.upperBound]) == headerEnd, "\(admin)")
            }
            #expect(analyst.outputLines[2].contains("  withheld (analyst role)  "), "\(analyst)")
            #expect(leakedValues(in: analyst.standardOutput) == [])
            let customers = try #require(try jsonObject(json)["customers"] as? [[String: Any]])
            #expect(customers.map { $0["personal_data"] as? String } == ["withheld (no master key)", "withheld (erased)"])
        }
    }
}

@Suite("master key: missing, wrong or unsafe")
struct MasterKeyCommandTests {
    @Test(arguments: [["customer", "1"], ["tiers"], ["points", "1"], ["history", "1"], ["stats"], ["verify"]])
    func readCommandsWorkWithoutKey(arguments: [String]) async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(arguments, database: database, environment: withoutKey)

            #expect(result.status == 0, "\(result)")
            #expect(leakedValues(in: result.standardOutput) == [])
        }
    }

    @Test func withoutKeyPersonalDataIsWithheld() async throws {
        try await withPrivacyLedger { database, _ in
            let customer = try await LedgerProcess.run(["customer", "1"], database: database, environment: withoutKey)
            let history = try await LedgerProcess.run(["history", "1"], database: database, environment: withoutKey)

            #expect(customer.outputLines.contains("name          withheld (no master key)"), "\(customer)")
            #expect(customer.outputLines.contains("points        300 available, 0 pending (earned 300, reversed 0, redeemed 0, adjusted 0, expired 0)"), "\(customer)")
            #expect(history.outputLines.contains { $0.hasSuffix("registered: personal data withheld (no master key), region 上海市 上海市") }, "\(history)")
            #expect(history.outputLines.contains { $0.hasSuffix("survey rating 2/5, complaint, text withheld (no master key)") }, "\(history)")
        }
    }

    @Test func followWithoutKeyWithholds() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(["follow", "--until-idle", "0.2"], database: database, environment: withoutKey)

            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines.count == 7, "\(result)")
            #expect(result.outputLines.contains { $0.hasSuffix("ProfileUpdated  changed phone, city (personal values withheld: no master key)") }, "\(result)")
            #expect(result.outputLines.contains { $0.hasSuffix("FeedbackRecorded  survey rating 2/5, complaint, text withheld (no master key)") }, "\(result)")
            #expect(result.outputLines.contains { $0.hasSuffix("CustomerErased  personal data erased: request DSR-7") }, "\(result)")
            #expect(leakedValues(in: result.standardOutput) == [])
        }
    }

    @Test(arguments: [
        ["import", "cdnow", "CDNOW"], ["replay"], ["points", "expire", "--as-of", "2024-06-01"],
        ["tier", "assign", "1", "VIP", "--reason", "partner", "--at", "2024-02-01"],
    ])
    func writeCommandsNeedKey(arguments: [String]) async throws {
        try await withPrivacyLedger { database, folder in
            let cdnow = try writeCDNOWFile(in: folder)
            let before = try await snapshot(of: database)
            let result = try await LedgerProcess.run(
                arguments.map { $0 == "CDNOW" ? cdnow : $0 }, database: database, environment: withoutKey)
            let after = try await snapshot(of: database)

            let command = try #require(
                ["import": "ledger import", "replay": "ledger replay", "points": "ledger points expire", "tier": "ledger tier assign"][arguments[0]])
            #expect(result.status == 77, "\(result)")
            #expect(
                result.standardError == "\(command): \(command) needs the ledger's master key; pass --key-file FILE or set LEDGER_KEY_FILE\n",
                "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(after.head == before.head)
            #expect(after.data == before.data, "data.mdb changed")
        }
    }

    @Test(arguments: [["customer", "1"], ["import", "cdnow", "CDNOW"]])
    func wrongKeyNamesBothFingerprints(arguments: [String]) async throws {
        try await withPrivacyLedger { database, folder in
            let cdnow = try writeCDNOWFile(in: folder)
            let otherKey = MasterKey.generate()
            let otherFile = folder + "/other.key"
            try otherKey.write(toFile: otherFile)
            let before = try await snapshot(of: database)
            let result = try await LedgerProcess.run(
                arguments.map { $0 == "CDNOW" ? cdnow : $0 }, database: database, environment: ["LEDGER_KEY_FILE": otherFile])
            let after = try await snapshot(of: database)

            #expect(result.status == 77, "\(result)")
            #expect(result.standardError.contains("the master key \(otherKey.fingerprint) does not match this ledger"), "\(result)")
            #expect(result.standardError.contains("created with key \(TestKey.key.fingerprint)"), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(after.head == before.head)
            #expect(after.data == before.data, "data.mdb changed")
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604])
    func keyFileReadableByOthersRejected(mode: Int) async throws {
        try await withPrivacyLedger { database, folder in
            let keyFile = folder + "/shared.key"
            try TestKey.key.write(toFile: keyFile)
            #expect(chmod(keyFile, mode_t(mode)) == 0)
            let result = try await LedgerProcess.run(["customer", "1", "--key-file", keyFile], database: database)

            #expect(result.status == 77, "\(result)")
            #expect(result.standardError.contains("key file '\(keyFile)'"), "\(result)")
            #expect(result.standardError.contains("has mode \(String(mode, radix: 8))"), "\(result)")
            #expect(result.standardError.contains("chmod 600 \(keyFile)"), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(!(result.standardOutput + result.standardError).lowercased().contains(testKeyHex))
        }
    }

    @Test(arguments: [
        "correct horse battery staple\n",
        String(repeating: "5e", count: 31) + "5\n",
        "# customer-ledger master key\n" + String(repeating: "0", count: 64) + "\n",
        String(repeating: "7a", count: 32) + "\n" + String(repeating: "7b", count: 32) + "\n",
    ])
    func malformedKeyFileContentNotEchoed(content: String) async throws {
        try await withPrivacyLedger { database, folder in
            let keyFile = folder + "/malformed.key"
            #expect(FileManager.default.createFile(
                atPath: keyFile, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]))
            let result = try await LedgerProcess.run(["customer", "1", "--key-file", keyFile], database: database)

            #expect(result.status == 77, "\(result)")
            #expect(result.standardError.contains("key file '\(keyFile)'"), "\(result)")
            let output = result.standardOutput + result.standardError
            for line in content.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(!output.contains(line), "the key file's content is in \(result)")
            }
        }
    }

    @Test func creatingLedgerWithoutKeyWritesNothing() async throws {
        try await withTemporaryFolder { folder in
            let cdnow = try writeCDNOWFile(in: folder)
            let database = folder + "/new.db"
            let result = try await LedgerProcess.run(["import", "cdnow", cdnow], database: database, environment: withoutKey)

            #expect(result.status == 77, "\(result)")
            #expect(
                result.standardError == "ledger import: ledger import creates a new ledger, which needs a master key; "
                    + "create one with 'ledger keygen FILE' first, then pass --key-file FILE or set LEDGER_KEY_FILE\n",
                "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database + "/data.mdb"))
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }
}

@Suite("database file modes")
struct DatabaseFileModeTests {
    @Test func newLedgerIsPrivate() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shop.db"
            let result = try await LedgerProcess.run(["import", "cdnow", try writeCDNOWFile(in: folder)], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(try permissions(of: database) == 0o700)
            #expect(try permissions(of: database + "/data.mdb") == 0o600)
            #expect(try permissions(of: database + "/lock.mdb") == 0o600)
        }
    }

    @Test(arguments: [("data.mdb", 0o644, "chmod 600"), ("lock.mdb", 0o640, "chmod 600"), ("", 0o755, "chmod 700")])
    func openFilesWarn(file: String, mode: Int, fix: String) async throws {
        try await withPrivacyLedger { database, _ in
            let path = file.isEmpty ? database : database + "/" + file
            #expect(chmod(path, mode_t(mode)) == 0)
            let result = try await LedgerProcess.run(["stats"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(
                result.standardError.contains("warning: '\(path)' has mode \(String(mode, radix: 8)), so other users may read customer data; run '\(fix) \(path)'"),
                "\(result)")
            #expect(!result.standardOutput.contains("warning"), "\(result)")
        }
    }

    @Test func privateFilesDoNotWarn() async throws {
        try await withPrivacyLedger { database, _ in
            let result = try await LedgerProcess.run(["stats"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.standardError.isEmpty, "\(result)")
        }
    }
}

@Suite("ledger demo: suggested commands")
struct DemoNextCommandTests {
    @Test func keptDemoSuggestsWorkingCommands() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/demo.db"
            let demo = try await LedgerProcess.run(["demo", "--keep", "--db", database], database: database, environment: withoutKey)

            #expect(demo.status == 0, "\(demo)")
            #expect(FileManager.default.fileExists(atPath: database + ".key"))
            let next = try #require(demo.outputLines.firstIndex(of: "== Next"), "\(demo)")
            let commands = demo.outputLines[(next + 1)...].filter { !$0.isEmpty }
            // Three for the CDNOW ledger and two for the synthetic one.
            #expect(commands.count == 5, "\(demo)")
            for command in commands {
                #expect(command.hasPrefix("ledger "), "\(command)")
                // The user's shell had no LEDGER_KEY_FILE when the demo created its own key.
                let script = "unset LEDGER_KEY_FILE; \"$0\" " + command.dropFirst("ledger ".count)
                let result = try await LedgerProcess.run(shellScript: script, database: folder + "/unused.db")
                #expect(result.status == 0, "\(result)")
                #expect(result.standardError.isEmpty, "\(result)")
            }
        }
    }
}
