import CLMDB
import CustomerLedger
import Foundation
import Testing

// `ledger keygen`, `erase`, `export-customer` and `compact`: the life of a customer's personal
// data from key to erasure, run through the built executable.

/// A CNY ledger with personal data in every personal field of two customers, written through
/// the library with ``TestKey/key``. Its positions:
///
/// 1. customer 1 (Erin Zwicky, phone 13511112222, erin.zwicky@example.org, born 1988-08-08,
///    广东省 深圳市, address Baker Street 221B) registers on 2024-01-01
/// 2. customer 2 (Keeper Qiu, phone 13455556666, keeper.qiu@example.net) registers on 2024-01-03
/// 3. customer 1 buys E-1 for 200.00 on 2024-01-05
/// 4. customer 1 buys E-2 for 150.00 on 2024-02-10
/// 5. customer 1 files a survey complaint, rating 1, with a text, on 2024-02-12
/// 6. customer 1 changes phone to 13566667777 on 2024-02-15
/// 7. customer 2 buys K-1 for 80.00 on 2024-03-01, the latest occurred-at in the ledger
private enum LifecycleFixture {
    static let name = "Erin Zwicky"
    static let previousPhone = "13511112222"
    static let phone = "13566667777"
    static let email = "erin.zwicky@example.org"
    static let birthday = "1988-08-08"
    static let address = "Baker Street 221B"
    static let feedback = "parcel arrived crushed"

    static let keptName = "Keeper Qiu"
    static let keptPhone = "13455556666"
    static let keptEmail = "keeper.qiu@example.net"

    /// Every personal value of customer 1, which no output may contain after the erasure.
    static let personalValues = [name, previousPhone, phone, email, birthday, address, feedback]

    /// The occurred-at of the latest event, which `erase` takes by default.
    static let latestEvent = "2024-03-01T00:00:00Z"
    static let eventCount = 7

    static func makeLedger(in folder: String) throws -> String {
        let database = folder + "/ledger.db"
        let ledger = try Ledger(path: database, options: .init(program: LoyaltyProgram(currency: .cny), masterKey: TestKey.key))
        func event(_ id: UInt64, _ date: String, _ payload: EventPayload) throws -> NewEvent {
            NewEvent(
                customerID: try #require(CustomerID(id)), occurredAt: try #require(Timestamp(parsing: date)), payload: payload)
        }
        func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

        try ledger.append([
            try event(1, "2024-01-01", .customerRegistered(CustomerRegistered(profile: CustomerProfile(
                name: name, phone: previousPhone, email: email, birthday: CivilDate(year: 1988, month: 8, day: 8),
                province: "广东省", city: "深圳市", address: address)))),
            try event(2, "2024-01-03", .customerRegistered(CustomerRegistered(profile: CustomerProfile(
                name: keptName, phone: keptPhone, email: keptEmail, province: "浙江省", city: "杭州市")))),
            try event(1, "2024-01-05", .purchaseRecorded(PurchaseRecorded(orderID: "E-1", amount: cny(20_000)))),
            try event(1, "2024-02-10", .purchaseRecorded(PurchaseRecorded(orderID: "E-2", amount: cny(15_000)))),
            try event(1, "2024-02-12", .feedbackRecorded(FeedbackRecorded(
                channel: .survey, rating: 1, isComplaint: true, text: feedback))),
            try event(1, "2024-02-15", .profileUpdated(ProfileUpdated(changes: ProfileChanges(phone: phone)))),
            try event(2, "2024-03-01", .purchaseRecorded(PurchaseRecorded(orderID: "K-1", amount: cny(8_000)))),
        ])
        return database
    }
}

/// Runs `body` with a new lifecycle fixture ledger in a temporary folder.
private func withLifecycleLedger<Result>(
    _ body: (_ database: String, _ folder: String) async throws -> Result
) async throws -> Result {
    try await withTemporaryFolder { folder in try await body(try LifecycleFixture.makeLedger(in: folder), folder) }
}



/// Returns the personal values of `LifecycleFixture` that `text` contains.
private func leakedValues(in text: String) -> [String] {
    LifecycleFixture.personalValues.filter { text.contains($0) }
}

/// Returns the permission bits of the file at `path`.
private func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int)
}

/// Returns the names of the files in `folder` that contain `needle`, read byte for byte.
private func filesContaining(_ needle: [UInt8], in folder: String) throws -> [String] {
    let pattern = Data(needle)
    return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().filter { name in
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        return data.range(of: pattern) != nil
    }
}

private struct RawReadError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    var description: String { "\(call) failed: \(String(cString: mdb_strerror(code))) (code \(code))" }
}

/// Returns the value stored under customer `id` in the `data-keys` table of the ledger in
/// `folder`: the customer's data key wrapped by the master key. It reads the LMDB environment
/// directly, read-only, and closes it before returning, so that no lock of this process stays
/// on the ledger.
private func wrappedDataKey(of id: UInt64, in folder: String) throws -> [UInt8]? {
    func check(_ code: Int32, _ call: String) throws {
        if code != 0 { throw RawReadError(call: call, code: code) }
    }
    var environment: OpaquePointer?
    try check(mdb_env_create(&environment), "mdb_env_create")
    defer { mdb_env_close(environment) }
    try check(mdb_env_set_maxdbs(environment, 16), "mdb_env_set_maxdbs")
    try check(mdb_env_open(environment, folder, UInt32(MDB_RDONLY), 0o600), "mdb_env_open")
    var transaction: OpaquePointer?
    try check(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &transaction), "mdb_txn_begin")
    defer { mdb_txn_abort(transaction) }
    var table: MDB_dbi = 0
    try check(mdb_dbi_open(transaction, "data-keys", 0, &table), "mdb_dbi_open data-keys")
    var key = withUnsafeBytes(of: id.bigEndian) { Array($0) }
    return try key.withUnsafeMutableBytes { keyBytes in
        var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
        var value = MDB_val()
        let code = mdb_get(transaction, table, &keyValue, &value)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_get")
        return Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
}

/// A `ledger` process running in the background, with its standard output and error in files.
private final class BackgroundFollower {
    let process = Process()
    let errorPath: String

    init(database: String, folder: String) throws {
        errorPath = folder + "/follower.stderr"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["LEDGER_DB"] = database
        environment["LEDGER_KEY_FILE"] = try TestKey.file()
        process.executableURL = try LedgerProcess.locateExecutable()
        // The idle limit only ends a follower that the test failed to stop.
        process.arguments = ["follow", "--until-idle", "120"]
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
    }

    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Waits until the follower reports that it follows the ledger, which it does after opening
    /// it, and returns false when it exits or `seconds` pass first.
    func waitUntilFollowing(seconds: Double = 60) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !standardError.contains("ledger follow: following") {
            if !process.isRunning || ContinuousClock.now > deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Sends SIGTERM and waits for the exit status.
    func stop(seconds: Double = 60) async throws -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                throw LedgerProcessError(description: "the follower did not stop within \(seconds) s after SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }
}

@Suite("keygen creates master key files")
struct KeygenCommandTests {
    @Test func keygenCreatesPrivateKeyFile() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/shop.key"
            let result = try await LedgerProcess.run(["keygen", path], database: folder + "/ledger.db")

            #expect(result.status == 0, "\(result)")
            #expect(try permissions(of: path) == 0o600)
            let key = try MasterKey(contentsOfFile: path)
            #expect(result.standardOutput.contains(path), "\(result)")
            #expect(result.standardOutput.contains("fingerprint  \(key.fingerprint)\n"), "\(result)")
            let keyHex = try #require(
                try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last.map(String.init))
            #expect(keyHex.count == 64)
            #expect(!result.standardOutput.contains(keyHex), "the output shows the key")
            #expect(!result.standardError.contains(keyHex), "the output shows the key")
            #expect(!FileManager.default.fileExists(atPath: folder + "/ledger.db"), "keygen created a ledger")
        }
    }

    @Test func keygenJSONNamesFingerprint() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/shop.key"
            let result = try await LedgerProcess.run(["keygen", path, "--json"], database: folder + "/ledger.db")

            #expect(result.status == 0, "\(result)")
            let output = try jsonObject(result)
            #expect(output["path"] as? String == path)
            #expect(output["fingerprint"] as? String == (try MasterKey(contentsOfFile: path)).fingerprint)
            #expect(output["mode"] as? String == "0600")
        }
    }

    @Test func keygenRejectsExistingFile() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/shop.key"
            let first = try await LedgerProcess.run(["keygen", path], database: folder + "/ledger.db")
            #expect(first.status == 0, "\(first)")
            let original = try Data(contentsOf: URL(fileURLWithPath: path))

            let second = try await LedgerProcess.run(["keygen", path], database: folder + "/ledger.db")

            #expect(second.status == 74, "\(second)")
            #expect(second.standardError.contains("'\(path)' already exists; choose a new file name"), "\(second)")
            #expect(second.standardOutput.isEmpty, "\(second)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original, "the existing key file changed")
            #expect(try permissions(of: path) == 0o600)
        }
    }

    @Test func keygenInMissingFolderFails() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/missing/shop.key"
            let result = try await LedgerProcess.run(["keygen", path], database: folder + "/ledger.db")

            #expect(result.status == 74, "\(result)")
            #expect(result.standardError.contains("No such file or directory"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}

@Suite("erase hides personal data on every read path")
struct EraseCommandTests {
    /// The read commands whose output must not contain an erased customer's personal data.
    static let readCommands: [[String]] = [
        ["customer", "1"], ["customer", "1", "--json"],
        ["customer", "1", "--as-of", "2024-02-20"], ["customer", "1", "--as-of-position", "6"],
        ["history", "1"], ["history", "1", "--json"],
        ["points", "1"], ["tier", "1"], ["top"], ["top", "--json"],
        ["export"], ["export", "--customer", "1"], ["export-customer", "1"],
        ["follow", "--json", "--until-idle", "0.3"], ["follow", "--until-idle", "0.3"],
    ]

    @Test func readPathsShowPersonalDataBeforeErasure() async throws {
        try await withLifecycleLedger { database, _ in
            // Without this, a read path that never showed the data would pass the test below.
            for arguments in [["customer", "1"], ["history", "1", "--json"], ["export-customer", "1"]] {
                let result = try await LedgerProcess.run(arguments, database: database)
                #expect(result.status == 0, "\(result)")
                #expect(result.standardOutput.contains(LifecycleFixture.name), "\(result)")
                #expect(result.standardOutput.contains(LifecycleFixture.phone), "\(result)")
            }
        }
    }

    @Test func eraseHidesPersonalDataEverywhere() async throws {
        try await withLifecycleLedger { database, _ in
            let result = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput.contains("erased       customer 1: CustomerErased at position 8, data key destroyed\n"), "\(result)")
            #expect(
                result.standardOutput.contains("occurred at  2024-03-01, the ledger's latest occurred-at (--at sets another)\n"),
                "\(result)")
            #expect(result.standardOutput.contains("2 purchases, 0 refunds, net spend 350.00 CNY"), "\(result)")
            #expect(leakedValues(in: result.standardOutput + result.standardError).isEmpty, "\(result)")

            for arguments in Self.readCommands {
                let read = try await LedgerProcess.run(arguments, database: database)
                #expect(read.status == 0, "\(read)")
                #expect(!read.standardOutput.isEmpty, "\(read)")
                #expect(leakedValues(in: read.standardOutput).isEmpty, "\(read)")
                #expect(leakedValues(in: read.standardError).isEmpty, "\(read)")
            }
        }
    }

    @Test func eraseKeepsSpendPointsAndTier() async throws {
        try await withLifecycleLedger { database, _ in
            func snapshot() async throws -> (customer: [String: Any], points: NSDictionary, tier: NSDictionary) {
                let customer = try await LedgerProcess.run(["customer", "1", "--json"], database: database)
                let points = try await LedgerProcess.run(["points", "1", "--json"], database: database)
                let tier = try await LedgerProcess.run(["tier", "1", "--json"], database: database)
                for result in [customer, points, tier] { #expect(result.status == 0, "\(result)") }
                return (try jsonObject(customer), try jsonObject(points) as NSDictionary, try jsonObject(tier) as NSDictionary)
            }
            let before = try await snapshot()

            let erase = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42", "--json"], database: database)
            #expect(erase.status == 0, "\(erase)")
            let erased = try jsonObject(erase)
            #expect(erased["erased_at"] as? String == LifecycleFixture.latestEvent)
            #expect(erased["personal_data"] as? String == "withheld (erased)")
            #expect(erased["reason"] as? String == "request DSR-42")
            let after = try await snapshot()

            for key in ["purchase_count", "refund_count", "spend", "points", "points_as_of", "tier", "registered_at", "feedback_count"] {
                let old = try #require(before.customer[key], "customer --json has no \(key)")
                let new = try #require(after.customer[key], "customer --json has no \(key)")
                #expect(NSDictionary(dictionary: ["value": old]) == NSDictionary(dictionary: ["value": new]), "\(key) changed")
            }
            #expect(after.points == before.points, "points --json changed")
            #expect(after.tier == before.tier, "tier --json changed")
            #expect(after.customer["erased_at"] as? String == LifecycleFixture.latestEvent)
            #expect(after.customer["personal_data"] as? String == "withheld (erased)")
            #expect((after.customer["profile"] as? [String: Any])?["city"] as? String == "深圳市")

            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")
        }
    }

    /// The default occurred-at of an erasure is the ledger's latest occurred-at, 2024-03-01 in
    /// the fixture, so every output also shows when the ledger recorded it.
    @Test func eraseShowsOccurredAndRecordedTimes() async throws {
        try await withLifecycleLedger { database, _ in
            let erase = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42", "--json"], database: database)
            #expect(erase.status == 0, "\(erase)")
            let history = try await LedgerProcess.run(["history", "1", "--json", "--type", "CustomerErased"], database: database)
            let erasure = try #require(try jsonLines(history).first, "\(history)")
            let recordedAt = try #require(erasure["recorded_at"] as? String)
            // Both times are UTC in the same format, so their text sorts like the instants.
            #expect(recordedAt > LifecycleFixture.latestEvent, "the erasure was recorded before its occurred-at: \(recordedAt)")

            let erased = try jsonObject(erase)
            #expect(erased["erased_at"] as? String == LifecycleFixture.latestEvent)
            #expect(erased["erasure_recorded_at"] as? String == recordedAt)

            let customerJSON = try jsonObject(try await LedgerProcess.run(["customer", "1", "--json"], database: database))
            #expect(customerJSON["erased_at"] as? String == LifecycleFixture.latestEvent)
            #expect(customerJSON["erasure_recorded_at"] as? String == recordedAt)

            let customer = try await LedgerProcess.run(["customer", "1"], database: database)
            #expect(customer.status == 0, "\(customer)")
            #expect(
                customer.standardOutput.contains(
                    "erased        occurred at 2024-03-01, recorded at \(recordedAt): personal data destroyed, no further events accepted\n"),
                "\(customer)")

            let export = try await LedgerProcess.run(["export-customer", "1"], database: database)
            let personal = try #require(try jsonObject(export)["personal_data"] as? [String: Any], "\(export)")
            #expect(personal["erased_at"] as? String == LifecycleFixture.latestEvent)
            #expect(personal["erasure_recorded_at"] as? String == recordedAt)
            let note = try #require(personal["note"] as? String)
            #expect(
                note.contains("The erasure occurred at 2024-03-01 in business time, and the ledger recorded it at \(recordedAt)."), "\(note)")

            let active = try jsonObject(try await LedgerProcess.run(["customer", "2", "--json"], database: database))
            #expect(active["erased_at"] is NSNull)
            #expect(active["erasure_recorded_at"] is NSNull)
        }
    }

    @Test func eraseTextShowsBothTimes() async throws {
        try await withLifecycleLedger { database, _ in
            let result = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42", "--at", "2024-03-05"], database: database)
            #expect(result.status == 0, "\(result)")
            let history = try await LedgerProcess.run(["history", "1", "--json", "--type", "CustomerErased"], database: database)
            let recordedAt = try #require(try jsonLines(history).first?["recorded_at"] as? String, "\(history)")

            #expect(result.outputLines.first == "erased       customer 1: CustomerErased at position 8, data key destroyed", "\(result)")
            #expect(result.outputLines.dropFirst().first == "occurred at  2024-03-05, from --at", "\(result)")
            #expect(
                result.outputLines.dropFirst(2).first == "recorded at  \(recordedAt), when the ledger recorded the erasure", "\(result)")
        }
    }

    @Test func erasedCustomerRejectsFurtherWrites() async throws {
        try await withLifecycleLedger { database, _ in
            let erase = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42"], database: database)
            #expect(erase.status == 0, "\(erase)")

            let assign = try await LedgerProcess.run(["tier", "assign", "1", "VIP", "--reason", "goodwill"], database: database)
            #expect(assign.status == 65, "\(assign)")
            #expect(assign.standardError.contains("customer 1 was erased at"), "\(assign)")
            #expect(leakedValues(in: assign.standardError + assign.standardOutput).isEmpty, "\(assign)")

            let again = try await LedgerProcess.run(["erase", "1", "--reason", "duplicate request"], database: database)
            #expect(again.status == 65, "\(again)")
            #expect(
                again.standardError.contains("customer 1 was already erased (occurred at 2024-03-01, recorded at "),
                "\(again)")
            #expect(
                again.standardError.hasSuffix("), so there is nothing left to erase; nothing was written\n"),
                "\(again)")
            #expect(leakedValues(in: again.standardError).isEmpty, "\(again)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LifecycleFixture.eventCount + 1)
        }
    }

    @Test func eraseRejectsInvalidRequests() async throws {
        try await withLifecycleLedger { database, _ in
            let cases: [(arguments: [String], environment: [String: String], status: Int32, message: String)] = [
                (["erase", "1"], [:], 64, "missing option '--reason TEXT'"),
                (["erase", "1", "--reason", "  "], [:], 64, "the value of --reason is empty"),
                (["erase", "1", "--reason", String(repeating: "x", count: 1025)], [:], 64, "the limit is 1,024 bytes"),
                (["erase", "0", "--reason", "r"], [:], 64, "invalid customer id '0'"),
                (["erase", "1", "--reason", "r", "--at", "2099-01-01"], [:], 64, "--at 2099-01-01T00:00:00Z is in the future"),
                (["erase", "1", "--reason", "r", "--role", "support"], [:], 77,
                 "ledger erase: erasing customers is not allowed for the support role; use --role admin\n"),
                (["erase", "1", "--reason", "r", "--role", "analyst"], [:], 77,
                 "ledger erase: erasing customers is not allowed for the analyst role; use --role admin\n"),
                (["erase", "1", "--reason", "r"], ["LEDGER_KEY_FILE": ""], 77,
                 "ledger erase: ledger erase needs the ledger's master key; pass --key-file FILE or set LEDGER_KEY_FILE\n"),
                (["erase", "9", "--reason", "r"], [:], 66, "customer 9 not found"),
                (["erase", "1", "--reason", "r", "--at", "2024-02-14"], [:], 65,
                 "--at 2024-02-14 is before customer 1's latest event at 2024-02-15"),
            ]
            for (arguments, environment, status, message) in cases {
                let result = try await LedgerProcess.run(arguments, database: database, environment: environment)
                #expect(result.status == status, "\(result)")
                #expect(result.standardError.contains(message), "\(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
            #expect(try await LoyaltyFixture.eventCount(of: database) == LifecycleFixture.eventCount)
            let customer = try await LedgerProcess.run(["customer", "1"], database: database)
            #expect(customer.standardOutput.contains(LifecycleFixture.phone), "a rejected erasure erased: \(customer)")
        }
    }

    @Test func eraseWithoutLedgerIsNotFound() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/missing.db"
            let result = try await LedgerProcess.run(["erase", "1", "--reason", "r"], database: database)
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at '\(database)'"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test func eraseAtExplicitInstant() async throws {
        try await withLifecycleLedger { database, _ in
            let result = try await LedgerProcess.run(
                ["erase", "1", "--reason", "request DSR-42", "--at", "2024-02-20T08:00:00+08:00", "--actor", "dpo", "--json"],
                database: database)

            #expect(result.status == 0, "\(result)")
            let output = try jsonObject(result)
            #expect(output["erased_at"] as? String == "2024-02-20T00:00:00Z")
            #expect(output["actor"] as? String == "dpo")
            #expect(output["position"] as? Int == 8)
            let history = try await LedgerProcess.run(["history", "1", "--json", "--type", "CustomerErased"], database: database)
            let events = try jsonLines(history)
            #expect(events.count == 1, "\(history)")
            #expect(events.first?["actor"] as? String == "dpo")
            #expect(events.first?["source"] as? String == "cli")
            #expect((events.first?["payload"] as? [String: Any])?["reason"] as? String == "request DSR-42")
        }
    }
}

@Suite("export-customer writes a subject access document")
struct ExportCustomerCommandTests {
    @Test func exportHoldsDecryptedProfileAndHistory() async throws {
        try await withLifecycleLedger { database, _ in
            let result = try await LedgerProcess.run(["export-customer", "1"], database: database)

            #expect(result.status == 0, "\(result)")
            let document = try jsonObject(result)
            #expect(document["format"] as? String == "customer-ledger-subject-access")
            #expect(document["customer_id"] as? Int == 1)
            let profile = try #require(document["profile"] as? [String: Any])
            #expect(profile["name"] as? String == LifecycleFixture.name)
            #expect(profile["phone"] as? String == LifecycleFixture.phone)
            #expect(profile["email"] as? String == LifecycleFixture.email)
            #expect(profile["birthday"] as? String == LifecycleFixture.birthday)
            #expect(profile["address"] as? String == LifecycleFixture.address)
            #expect(profile["city"] as? String == "深圳市")
            let personal = try #require(document["personal_data"] as? [String: Any])
            #expect(personal["status"] as? String == "shown")
            #expect(personal["erased"] as? Bool == false)
            #expect(document["registered_at"] as? String == "2024-01-01T00:00:00Z")
            #expect(document["purchase_count"] as? Int == 2)
            #expect(document["refund_count"] as? Int == 0)
            let spend = try #require((document["spend"] as? [[String: Any]])?.first)
            #expect((spend["net"] as? [String: Any])?["minor_units"] as? Int == 35_000)
            #expect((document["points"] as? [String: Any])?["earned"] as? Int == 350)
            #expect((document["tier"] as? [String: Any])?["tier"] as? String == "core")

            let history = try #require(document["history"] as? [[String: Any]])
            #expect(history.map { $0["position"] as? Int } == [1, 3, 4, 5, 6])
            #expect(history.map { $0["type"] as? String } == [
                "CustomerRegistered", "PurchaseRecorded", "PurchaseRecorded", "FeedbackRecorded", "ProfileUpdated",
            ])
            #expect((history[0]["payload"] as? [String: Any])?["phone"] as? String == LifecycleFixture.previousPhone)
            #expect((history[3]["payload"] as? [String: Any])?["text"] as? String == LifecycleFixture.feedback)
            #expect((history[4]["payload"] as? [String: Any])?["phone"] as? String == LifecycleFixture.phone)
            #expect(!result.standardOutput.contains(LifecycleFixture.keptName), "the export holds another customer's data")
        }
    }

    @Test func exportRejectsOtherRolesAndMissingKey() async throws {
        try await withLifecycleLedger { database, _ in
            let cases: [(arguments: [String], environment: [String: String], message: String)] = [
                (["export-customer", "1", "--role", "support"], [:],
                 "exporting a customer's personal data is not allowed for the support role; use --role admin\n"),
                (["export-customer", "1", "--role", "analyst"], [:],
                 "exporting a customer's personal data is not allowed for the analyst role; use --role admin\n"),
                (["export-customer", "1"], ["LEDGER_ROLE": "analyst"],
                 "exporting a customer's personal data is not allowed for the analyst role; use --role admin\n"),
                (["export-customer", "1"], ["LEDGER_KEY_FILE": ""],
                 "ledger export-customer needs the ledger's master key, because it writes the personal data in clear; pass --key-file FILE or set LEDGER_KEY_FILE\n"),
            ]
            for (arguments, environment, message) in cases {
                let result = try await LedgerProcess.run(arguments, database: database, environment: environment)
                #expect(result.status == 77, "\(result)")
                #expect(result.standardError.contains(message), "\(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
            let unknown = try await LedgerProcess.run(["export-customer", "9"], database: database)
            #expect(unknown.status == 66, "\(unknown)")
            #expect(unknown.standardError.contains("customer 9 not found"), "\(unknown)")
        }
    }

    @Test func exportToFileIsPrivateAndNew() async throws {
        try await withLifecycleLedger { database, folder in
            let output = folder + "/export/customer-1.json"
            try FileManager.default.createDirectory(atPath: folder + "/export", withIntermediateDirectories: false)
            let result = try await LedgerProcess.run(["export-customer", "1", "--output", output], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput == "exported customer 1: 5 events, personal data shown, to \(output) (mode 0600)\n")
            #expect(try permissions(of: output) == 0o600)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any])
            #expect((document["profile"] as? [String: Any])?["name"] as? String == LifecycleFixture.name)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/export") == ["customer-1.json"])
        }
    }

    @Test func exportRejectsExistingOutputFile() async throws {
        try await withLifecycleLedger { database, folder in
            let output = folder + "/customer-1.json"
            try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: output))
            let result = try await LedgerProcess.run(["export-customer", "1", "--output", output], database: database)

            #expect(result.status == 74, "\(result)")
            #expect(result.standardError.contains("'\(output)' already exists; choose a new file name"), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me\n")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp") }
            #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        }
    }

    @Test func exportOfErasedCustomerStatesErasure() async throws {
        try await withLifecycleLedger { database, _ in
            let erase = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42"], database: database)
            #expect(erase.status == 0, "\(erase)")
            let result = try await LedgerProcess.run(["export-customer", "1"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(leakedValues(in: result.standardOutput).isEmpty, "\(result)")
            let document = try jsonObject(result)
            let personal = try #require(document["personal_data"] as? [String: Any])
            #expect(personal["status"] as? String == "withheld (erased)")
            #expect(personal["erased"] as? Bool == true)
            #expect(personal["erased_at"] as? String == LifecycleFixture.latestEvent)
            #expect(personal["erasure_reason"] as? String == "request DSR-42")
            #expect(document["purchase_count"] as? Int == 2)
            #expect((document["points"] as? [String: Any])?["earned"] as? Int == 350)
            let history = try #require(document["history"] as? [[String: Any]])
            #expect(history.count == 6)
            #expect(history.last?["type"] as? String == "CustomerErased")
            #expect(history.first?["personal_data"] as? String == "withheld (erased)")
        }
    }
}

@Suite("role messages name the roles that may run the command")
struct RoleMessageCommandTests {
    @Test(arguments: [
        (["tier", "assign", "1", "VIP", "--reason", "partner", "--at", "2024-02-01"], "ledger tier assign", "appending events"),
        (["replay"], "ledger replay", "replaying the log"),
        (["compact"], "ledger compact", "compacting"),
    ])
    func analystWriteNamesAdminAndSupport(arguments: [String], command: String, operation: String) async throws {
        try await withLifecycleLedger { database, _ in
            let head = try await LedgerProcess.run(["head"], database: database)
            let result = try await LedgerProcess.run(arguments + ["--role", "analyst"], database: database)

            #expect(result.status == 77, "\(result)")
            #expect(
                result.standardError
                    == "\(command): \(operation) is not allowed for the analyst role, which only reads; use --role admin or --role support\n",
                "\(result)")
            let headAfter = try await LedgerProcess.run(["head"], database: database)
            #expect(headAfter.standardOutput == head.standardOutput)

            let support = try await LedgerProcess.run(arguments + ["--role", "support"], database: database)
            #expect(support.status == 0, "support may run it: \(support)")
        }
    }

    /// Support may import events, but not an erasure among them.
    @Test func supportImportingErasureNamesAdmin() async throws {
        try await withLifecycleLedger { database, folder in
            let erase = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42"], database: database)
            #expect(erase.status == 0, "\(erase)")
            let file = folder + "/events.jsonl"
            let export = try await LedgerProcess.run(["export", "--output", file], database: database)
            #expect(export.status == 0, "\(export)")

            let result = try await LedgerProcess.run(
                ["import", "jsonl", file, "--role", "support"], database: folder + "/copy.db")

            #expect(result.status == 77, "\(result)")
            #expect(
                result.standardError == "ledger import jsonl: importing erasures is not allowed for the support role; use --role admin\n",
                "\(result)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/copy.db"))
        }
    }
}

@Suite("compact removes what erasure destroyed from the database files")
struct CompactCommandTests {
    @Test func compactRemovesErasedKeyBytes() async throws {
        try await withLifecycleLedger { database, folder in
            let wrappedKey = try #require(try wrappedDataKey(of: 1, in: database), "customer 1 has no data key")
            let personalBytes = LifecycleFixture.personalValues.map { Array($0.utf8) }
            for value in personalBytes {
                #expect(try filesContaining(value, in: database).isEmpty, "personal data in clear: \(String(decoding: value, as: UTF8.self))")
            }

            let erase = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42"], database: database)
            #expect(erase.status == 0, "\(erase)")
            #expect(try wrappedDataKey(of: 1, in: database) == nil, "erasure kept the data key")
            // The deleted entry stays in free or unused page space until compaction, which is
            // what this test shows compact to remove.
            #expect(try filesContaining(wrappedKey, in: database) == ["data.mdb"])

            let backup = try await LedgerProcess.run(["backup", folder + "/backup"], database: database)
            #expect(backup.status == 0, "\(backup)")
            #expect(try filesContaining(wrappedKey, in: folder + "/backup").isEmpty, "a backup after the erasure holds the key")

            let head = try await LedgerProcess.run(["head"], database: database)
            #expect(head.status == 0, "\(head)")
            let compact = try await LedgerProcess.run(["compact"], database: database)
            #expect(compact.status == 0, "\(compact)")
            #expect(compact.standardOutput.contains("compacted  \(database)\n"), "\(compact)")

            #expect(try filesContaining(wrappedKey, in: database).isEmpty, "the erased key's bytes survived compaction")
            for value in personalBytes {
                #expect(try filesContaining(value, in: database).isEmpty, "personal data in clear: \(String(decoding: value, as: UTF8.self))")
            }
            let headAfter = try await LedgerProcess.run(["head"], database: database)
            #expect(headAfter.standardOutput == head.standardOutput, "compaction changed the head")
            let hash = try #require(head.outputLines.last?.split(separator: " ").last.map(String.init))
            #expect(compact.standardOutput.contains("hash       \(hash)\n"), "\(compact)")
            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")

            let kept = try await LedgerProcess.run(["customer", "2", "--json"], database: database)
            #expect(kept.status == 0, "\(kept)")
            let profile = try #require(try jsonObject(kept)["profile"] as? [String: Any])
            #expect(profile["name"] as? String == LifecycleFixture.keptName)
            #expect(profile["phone"] as? String == LifecycleFixture.keptPhone)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["backup", "ledger.db"])
            #expect(try permissions(of: database) == 0o700)
            #expect(try permissions(of: database + "/data.mdb") == 0o600)
        }
    }

    @Test func compactThroughSymbolicLink() async throws {
        try await withLifecycleLedger { database, folder in
            let wrappedKey = try #require(try wrappedDataKey(of: 1, in: database))
            let link = folder + "/current.db"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: database)
            let erase = try await LedgerProcess.run(["erase", "1", "--reason", "request DSR-42"], database: link)
            #expect(erase.status == 0, "\(erase)")

            let compact = try await LedgerProcess.run(["compact"], database: link)

            #expect(compact.status == 0, "\(compact)")
            let type = try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType
            #expect(type == .typeSymbolicLink, "compaction replaced the link")
            #expect(try filesContaining(wrappedKey, in: database).isEmpty, "the link's target was not compacted")
            let verify = try await LedgerProcess.run(["verify"], database: link)
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func compactJSONReportsSizesAndHead() async throws {
        try await withLifecycleLedger { database, _ in
            let head = try await LedgerProcess.run(["head", "--json"], database: database)
            let result = try await LedgerProcess.run(["compact", "--json"], database: database)

            #expect(result.status == 0, "\(result)")
            let output = try jsonObject(result)
            let expected = try jsonObject(head)
            #expect(output["position"] as? Int == LifecycleFixture.eventCount)
            #expect(output["hash"] as? String == expected["hash"] as? String)
            #expect((output["bytes_before"] as? Int ?? 0) > 0)
            #expect((output["bytes_after"] as? Int ?? 0) > 0)
        }
    }

    @Test func compactRejectsLedgerOpenElsewhere() async throws {
        try await withLifecycleLedger { database, folder in
            let head = try await LedgerProcess.run(["head"], database: database)
            let follower = try BackgroundFollower(database: database, folder: folder)
            let following = try await follower.waitUntilFollowing()
            #expect(following, "the follower did not start: \(follower.standardError)")

            let result = try await LedgerProcess.run(["compact"], database: database)
            let status = try await follower.stop()

            #expect(result.status == 75, "\(result)")
            #expect(
                result.standardError.contains("process \(follower.process.processIdentifier) has the ledger at '\(database)' open; stop it"),
                "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(status == 0, "follower: \(follower.standardError)")
            let headAfter = try await LedgerProcess.run(["head"], database: database)
            #expect(headAfter.standardOutput == head.standardOutput)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("compacting") }
            #expect(leftovers.isEmpty, "compaction left \(leftovers)")

            let retry = try await LedgerProcess.run(["compact"], database: database)
            #expect(retry.status == 0, "\(retry)")
        }
    }

    /// Compaction renames a new folder over the ledger folder, so a shell inside it would be
    /// left in a deleted folder.
    @Test func compactRejectsWorkingDirectoryInsideLedger() async throws {
        try await withLifecycleLedger { database, folder in
            try FileManager.default.createDirectory(atPath: database + "/notes", withIntermediateDirectories: false)
            let dataFile = try FileManager.default.attributesOfItem(atPath: database + "/data.mdb")
            let quoted = "'" + database + "'"
            let cases: [(script: String, shownPath: String, workingDirectory: String)] = [
                ("cd \(quoted) && \"$0\" compact --db .", ".", database),
                ("cd \(quoted) && \"$0\" compact", database, database),
                ("cd \(quoted)/notes && \"$0\" compact --db ..", "..", database + "/notes"),
                ("cd \(quoted)/notes && \"$0\" compact --db \(quoted)", database, database + "/notes"),
            ]
            for (script, shownPath, workingDirectory) in cases {
                let result = try await LedgerProcess.run(shellScript: script, database: database)

                #expect(result.status == 64, "\(result)")
                #expect(
                    result.standardError.hasPrefix(
                        "ledger compact: the ledger folder '\(shownPath)' is or contains the working directory '\(workingDirectory)', "
                            + "and compaction replaces that folder; run 'ledger compact' from outside the ledger folder"),
                    "\(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
            let after = try FileManager.default.attributesOfItem(atPath: database + "/data.mdb")
            let inode = try #require((dataFile[.systemFileNumber] as? NSNumber)?.uint64Value)
            #expect((after[.systemFileNumber] as? NSNumber)?.uint64Value == inode, "data.mdb was replaced")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["ledger.db"])

            // Compaction refuses a folder with other entries, so the notes move out first.
            let refused = try await LedgerProcess.run(shellScript: "cd '\(folder)' && \"$0\" compact --db ledger.db", database: database)
            #expect(refused.status == 74, "\(refused)")
            #expect(refused.standardError.contains("also contains 'notes'"), "\(refused)")
            try FileManager.default.removeItem(atPath: database + "/notes")
            let outside = try await LedgerProcess.run(shellScript: "cd '\(folder)' && \"$0\" compact --db ledger.db", database: database)
            #expect(outside.status == 0, "\(outside)")
        }
    }

    @Test func compactHelpNamesExitCodes() async throws {
        let result = try await LedgerProcess.run(["compact", "--help"], database: "unused.db")

        #expect(result.status == 0, "\(result)")
        let help = result.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("compact fails while one has (exit 75, retry once it stopped)"), "\(result)")
        #expect(!help.contains("exit 74"), "\(result)")
        #expect(help.contains("the working directory (exit 64)"), "\(result)")
    }

    @Test func compactRejectsMissingLedgerAndKey() async throws {
        try await withLifecycleLedger { database, folder in
            let missing = try await LedgerProcess.run(["compact"], database: folder + "/missing.db")
            #expect(missing.status == 66, "\(missing)")
            #expect(missing.standardError.contains("no ledger at '\(folder)/missing.db'"), "\(missing)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/missing.db"))

            let keyless = try await LedgerProcess.run(["compact"], database: database, environment: ["LEDGER_KEY_FILE": ""])
            #expect(keyless.status == 77, "\(keyless)")
            #expect(
                keyless.standardError == "ledger compact: ledger compact needs the ledger's master key; pass --key-file FILE or set LEDGER_KEY_FILE\n",
                "\(keyless)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["ledger.db"])
        }
    }
}
