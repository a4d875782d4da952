import CLMDB
import Foundation
import Testing

@testable import CustomerLedger

// Encryption at rest, roles, erasure and compaction, checked on the bytes of the database files.

private let zhang = CustomerProfile(
    name: "张伟", phone: "+86 138 1234 5678", email: "zhang.wei@example.com",
    birthday: CivilDate(year: 1990, month: 5, day: 17), province: "浙江省", city: "杭州市", address: "西湖区文三路 100 号")
private let li = CustomerProfile(
    name: "李娜", phone: "13900001111", email: "li.na@example.cn", province: "上海市", city: "上海市", address: "南京路 8 号")
private let complaintText = "快递员态度很差，投诉编号 C-7781"

/// Strings that must never be stored in clear.
private let secrets = [zhang.name, zhang.phone, zhang.email, zhang.address, complaintText, "13800001234"]

/// Writes customers 1 (张伟, with a profile change, purchases, feedback and a refund) and 2 (李娜).
private func writeCustomers(_ ledger: Ledger) throws {
    try ledger.append([
        NewEvent(
            customerID: customer(1), occurredAt: time("2024-01-01"),
            payload: .customerRegistered(CustomerRegistered(profile: zhang))),
        NewEvent(
            customerID: customer(2), occurredAt: time("2024-01-02"),
            payload: .customerRegistered(CustomerRegistered(profile: li, referrer: customer(1)))),
        purchase(customer: 1, order: "A-1", amount: cny("1280.00"), at: time("2024-01-05")),
        purchase(customer: 2, order: "B-1", amount: cny("88.00"), at: time("2024-01-06")),
        NewEvent(
            customerID: customer(1), occurredAt: time("2024-01-07"),
            payload: .feedbackRecorded(FeedbackRecorded(channel: .phoneCallback, rating: 1, isComplaint: true, text: complaintText))),
        profileUpdate(customer: 1, changes: ProfileChanges(phone: "13800001234", city: "宁波市"), at: time("2024-01-08")),
        purchase(customer: 1, order: "A-2", amount: cny("560.00"), at: time("2024-02-01")),
        refund(customer: 1, order: "A-2", amount: cny("60.00"), at: time("2024-02-03")),
    ])
}

/// Returns the bytes of every file in `folder`.
private func filesOf(_ folder: String) throws -> [(name: String, bytes: Data)] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
        (name, try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
    }
}

/// Returns the names of the files in `folder` that contain `needle`.
private func filesContaining(_ needle: [UInt8], in folder: String) throws -> [String] {
    try filesOf(folder).filter { $0.bytes.range(of: Data(needle)) != nil }.map(\.name)
}

private func filesContaining(_ text: String, in folder: String) throws -> [String] {
    try filesContaining(Array(text.utf8), in: folder)
}

/// Returns the stored wrapped data key of `id`, read with raw LMDB.
private func wrappedKey(_ path: String, _ id: UInt64) throws -> [UInt8]? {
    try withRawLMDB(path) { txn in try txn.get("data-keys", positionKey(id)) }
}

@Suite struct PrivacyTests {
    @Test func personalFieldsAreNotInClearInTheFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do {
            let ledger = try openLedger(at: path)
            try writeCustomers(ledger)
            #expect(ledger.isEncrypted)
            // The reads decrypt them, so the test would see them if they were stored in clear.
            #expect(try ledger.customer(customer(1))?.profile.phone == "13800001234")
            #expect(try ledger.history(of: customer(1)).contains { $0.payload == .feedbackRecorded(
                FeedbackRecorded(channel: .phoneCallback, rating: 1, isComplaint: true, text: complaintText)) })
        }
        for secret in secrets {
            #expect(try filesContaining(secret, in: path) == [], "\(secret)")
        }
        // What stays in clear for analysis is in the file.
        #expect(try filesContaining("浙江省", in: path) == ["data.mdb"])
        #expect(try filesContaining("A-1", in: path) == ["data.mdb"])
    }

    @Test func wrongMasterKeyFailsAndWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try writeCustomers(try openLedger(at: path)) }
        let dataFile = { try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")) }
        let before = try dataFile()
        let other = MasterKey.generate()

        for readOnly in [false, true] {
            let error = #expect(throws: PrivacyError.self) { try openLedger(at: path, readOnly: readOnly, masterKey: other) }
            #expect(error == .wrongMasterKey(given: other.fingerprint, expected: testMasterKey.fingerprint))
            #expect(error?.description.contains("pass the key file the ledger was created with") == true)
        }
        #expect(try dataFile() == before)
    }

    @Test func creatingALedgerNeedsAKey() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"

        #expect(throws: PrivacyError.masterKeyRequired("creating a ledger")) { try openLedger(at: path, masterKey: nil) }
        #expect(!FileManager.default.fileExists(atPath: path))

        let clear = try Ledger(path: path, options: .init(clock: { fixedRecordedAt }, encryptsPersonalData: false))
        try clear.append(registration(customer: 1, at: time("2024-01-01"), name: "明文"))
        #expect(!clear.isEncrypted)
        #expect(throws: LedgerError.self) { try clear.erase(customer(1), reason: "request", at: time("2024-01-02")) }
    }

    @Test func withoutTheKeyTheLedgerIsReadOnlyAndWithholdsPersonalData() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let (state, tier, points) = try {
            let ledger = try openLedger(at: path)
            try writeCustomers(ledger)
            return (
                try ledger.customer(customer(1))!, try ledger.tier(of: customer(1), asOf: time("2024-03-01")),
                try ledger.points(of: customer(1), asOf: time("2024-03-01")))
        }()
        let before = try filesOf(path).first { $0.name == "data.mdb" }!.bytes

        let ledger = try openLedger(at: path, masterKey: nil)

        #expect(ledger.isReadOnly)
        let read = try #require(try ledger.customer(customer(1)))
        #expect(read.personalData == .withheld(.noKey))
        #expect(read.profile == CustomerProfile(name: "", province: "浙江省", city: "宁波市"))
        #expect(read.spend == state.spend)
        #expect(read.points == state.points)
        #expect(try ledger.tier(of: customer(1), asOf: time("2024-03-01")) == tier)
        #expect(try ledger.points(of: customer(1), asOf: time("2024-03-01")) == points)
        let history = try ledger.history(of: customer(1))
        #expect(history.count == 6)
        #expect(history.filter { $0.personalData == .withheld(.noKey) }.count == 3)
        #expect(throws: PrivacyError.masterKeyRequired("appending events")) {
            try ledger.append(purchase(customer: 1, order: "A-3", amount: cny("1.00"), at: time("2024-03-01")))
        }
        #expect(throws: PrivacyError.masterKeyRequired("replaying the log")) { try ledger.replay() }
        #expect(try ledger.verify().isVerified)
        #expect(try filesOf(path).first { $0.name == "data.mdb" }!.bytes == before)
    }

    @Test func rolesMaskOrWithholdPersonalData() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try writeCustomers(ledger)

        let admin = try #require(try ledger.customer(customer(1)))
        #expect(admin.personalData == .shown)
        #expect(admin.profile == CustomerProfile(
            name: "张伟", phone: "13800001234", email: "zhang.wei@example.com", birthday: zhang.birthday,
            province: "浙江省", city: "宁波市", address: zhang.address))

        let support = try #require(try ledger.withRole(.support).customer(customer(1)))
        #expect(support.personalData == .masked)
        #expect(support.profile.phone == "138****1234")
        #expect(support.profile.email == "z***@example.com")
        #expect(support.profile.name == "张伟")
        let supportHistory = try ledger.withRole(.support).history(of: customer(1))
        guard case .customerRegistered(let registered) = supportHistory[0].payload else {
            Issue.record("the first event is not the registration")
            return
        }
        #expect(registered.profile.phone == "+86 138****5678")

        let analystLedger = ledger.withRole(.analyst)
        let analyst = try #require(try analystLedger.customer(customer(1)))
        #expect(analyst.personalData == .withheld(.role))
        #expect(analyst.profile == CustomerProfile(name: "", province: "浙江省", city: "宁波市"))
        #expect(analyst.spend == admin.spend)
        for entry in try analystLedger.history(of: customer(1)) where entry.personalData != .none {
            #expect(entry.personalData == .withheld(.role))
        }
        #expect(throws: PrivacyError.roleNotAllowed(role: .analyst, operation: "appending events")) {
            try analystLedger.append(purchase(customer: 1, order: "A-3", amount: cny("1.00"), at: time("2024-03-01")))
        }
        #expect(throws: PrivacyError.roleNotAllowed(role: .support, operation: "erasing customers")) {
            try ledger.withRole(.support).erase(customer(1), reason: "request", at: time("2024-03-01"))
        }
    }

    @Test(arguments: [
        ("13812345678", "138****5678"), ("+86 138 1234 5678", "+86 138****5678"), ("138-1234-5678", "138****5678"),
        ("12345", "***45"), ("", ""), ("+8613812345678 ", "861******5678"), ("+8613812345678 (mobile)", "861******5678"),
        ("12", "**"), ("110", "***"), ("+86 571 8888 1234 ext 56", "+86 571******3456"), ("电话", "***"),
        ("+1 555 0100", "****0100"), ("021-6888-1234", "021****1234"),
    ])
    func phoneMask(phone: String, masked: String) {
        #expect(PersonalDataMask.phone(phone) == masked)
    }

    @Test(arguments: [
        ("zhang.wei@example.com", "z***@example.com"), ("张@例子.中国", "张***@例子.中国"), ("no-at-sign", "********"),
        ("@example.com", "********"), ("", ""),
    ])
    func emailMask(email: String, masked: String) {
        #expect(PersonalDataMask.email(email) == masked)
    }

    @Test func erasureHidesPersonalDataOnEveryReadPath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let ledger = try openLedger(at: path)
        try writeCustomers(ledger)
        let before = try #require(try ledger.customer(customer(1)))
        let tierBefore = try ledger.tier(of: customer(1), asOf: time("2024-06-01"))
        let pointsBefore = try ledger.points(of: customer(1), asOf: time("2024-06-01"))
        let statisticsBefore = try ledger.statistics()

        try ledger.erase(customer(1), reason: "GDPR request 42", at: time("2024-03-01"))

        let after = try #require(try ledger.customer(customer(1)))
        #expect(after.personalData == .withheld(.erased))
        #expect(after.erasedAt == time("2024-03-01"))
        #expect(after.profile == CustomerProfile(name: "", province: "浙江省", city: "宁波市"))
        #expect(after.spend == before.spend)
        #expect(after.purchaseCount == before.purchaseCount)
        #expect(after.points == before.points)
        #expect(try ledger.tier(of: customer(1), asOf: time("2024-06-01")) == tierBefore)
        #expect(try ledger.points(of: customer(1), asOf: time("2024-06-01")) == pointsBefore)
        #expect(try ledger.statistics().customerCount == statisticsBefore.customerCount)

        var texts: [String] = []
        texts.append("\(try ledger.customer(customer(1))!)")
        texts.append("\(try ledger.customer(customer(1), asOf: time("2024-01-10"))!)")
        texts.append("\(try ledger.customer(customer(1), asOfPosition: 3)!)")
        texts.append("\(try ledger.history(of: customer(1)))")
        texts.append("\(try ledger.events(from: 1, limit: 100))")
        texts.append("\(try ledger.event(at: 1)!)")
        try ledger.forEachCustomer { texts.append("\($0)") }
        texts.append("\(try ledger.tiers(asOf: time("2024-06-01")))")
        try ledger.exportEvents(header: { texts.append("\($0)") }) { texts.append("\($0)") }
        let backup = try ledger.backup(to: directory.path + "/backup")
        let restored = try openLedger(at: backup.path, readOnly: true)
        texts.append("\(try restored.customer(customer(1))!)")
        texts.append("\(try restored.history(of: customer(1)))")
        // A rejected event names the erasure, never the data.
        let rejected = #expect(throws: LedgerError.self) {
            try ledger.append(profileUpdate(customer: 1, changes: ProfileChanges(name: "张伟"), at: time("2024-04-01")))
        }
        texts.append("\(rejected!)")
        #expect(rejected?.description.contains("was erased") == true)

        let joined = texts.joined(separator: "\n")
        for secret in secrets + ["1990-05-17"] {
            #expect(!joined.contains(secret), "\(secret)")
        }
        // The other customer keeps everything.
        #expect(try ledger.customer(customer(2))?.profile.phone == li.phone)
        #expect(joined.contains("李娜"))
        #expect(try ledger.verify().isVerified)
        #expect(try restored.verify().isVerified)

        // Projections rebuilt from the log agree.
        try ledger.replay()
        #expect(try ledger.customer(customer(1)) == after)
    }

    @Test func subscriptionsDeliverNoErasedData() async throws {
        let directory = try TemporaryDirectory()
        let (ledger, last) = try writeAndErase(at: directory.path + "/db")

        let delivered = try await collect(ledger.subscribe(after: 0, pollInterval: .milliseconds(10)), through: last)

        #expect(delivered.count == Int(last))
        let text = "\(delivered)"
        for secret in secrets { #expect(!text.contains(secret), "\(secret)") }
        #expect(text.contains(li.name))
    }

    @Test func erasedCustomerTakesNoFurtherEvents() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try writeCustomers(ledger)
        try ledger.erase(customer(2), reason: "request", at: time("2024-03-01"))

        for event in [
            purchase(customer: 2, order: "B-2", amount: cny("1.00"), at: time("2024-03-02")),
            registration(customer: 2, at: time("2024-03-02")),
            NewEvent(customerID: customer(2), occurredAt: time("2024-03-02"), payload: .customerErased(CustomerErased(reason: "again"))),
        ] {
            let error = #expect(throws: LedgerError.self) { try ledger.append(event) }
            #expect(error?.description.contains("erased") == true, "\(error.map { "\($0)" } ?? "")")
        }
        #expect(throws: LedgerError.self) { try ledger.erase(customer(3), reason: "request", at: time("2024-03-02")) }
        #expect(throws: LedgerError.self) { try ledger.erase(customer(1), reason: "", at: time("2024-03-02")) }
    }

    @Test func compactRemovesErasedDataFromEveryFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        var erasedKey: [UInt8] = []
        do {
            let ledger = try openLedger(at: path)
            try writeCustomers(ledger)
            erasedKey = try ledger.environment.read { txn in
                try DataKeyStore(table: ledger.schema.dataKeys, masterKey: testMasterKey).key(txn, for: customer(1))!
            }
        }
        let wrapped = try #require(try wrappedKey(path, 1))
        let head = try {
            let ledger = try openLedger(at: path)
            try ledger.erase(customer(1), reason: "request", at: time("2024-03-01"))
            return try ledger.head()
        }()
        #expect(try wrappedKey(path, 1) == nil)
        // Before compaction the destroyed key is still in a free page, so the search can find it.
        #expect(try filesContaining(wrapped, in: path) == ["data.mdb"])

        let summary = try Ledger.compact(path: path, options: .init(masterKey: testMasterKey))

        #expect(summary.head == head)
        #expect(try filesOf(path).map(\.name) == ["data.mdb", "lock.mdb"])
        #expect(try filesContaining(wrapped, in: path) == [])
        #expect(try filesContaining(erasedKey, in: path) == [])
        for secret in secrets { #expect(try filesContaining(secret, in: path) == [], "\(secret)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["db"])
        let ledger = try openLedger(at: path)
        #expect(try ledger.verify().isVerified)
        #expect(try ledger.head() == head)
        #expect(try ledger.customer(customer(2))?.profile.name == li.name)
        #expect(try ledger.customer(customer(1))?.purchaseCount == 2)
        try ledger.append(purchase(customer: 2, order: "B-2", amount: cny("5.00"), at: time("2024-03-02")))
        #expect(try ledger.verify().isVerified)
    }

    @Test func compactRefusesAnOpenLedgerAndAMissingKey() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let ledger = try openLedger(at: path)
        try writeCustomers(ledger)

        // This process has it open, so the library rejects a second environment on it.
        #expect(throws: (any Error).self) { try Ledger.compact(path: path, options: .init(masterKey: testMasterKey)) }
        _ = ledger
    }

    @Test func compactWithoutTheKeyChangesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try writeCustomers(try openLedger(at: path)) }
        let before = try filesOf(path).map(\.bytes)

        #expect(throws: PrivacyError.masterKeyRequired("compacting")) { try Ledger.compact(path: path) }
        #expect(try filesOf(path).map(\.bytes) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["db"])
    }

    @Test func tamperedCiphertextIsDetected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try writeCustomers(try openLedger(at: path)) }
        // Flips the last byte of the registration record, inside the tag of its sealed personal
        // part, and rehashes the chain so that only the authentication can tell.
        try withRawLMDB(path) { txn in
            var record = try txn.get("events", positionKey(1))!
            record[record.count - 1] ^= 0x01
            try txn.put("events", positionKey(1), record)
        }
        try rehashChain(path)

        do {
            let ledger = try openLedger(at: path)
            let error = #expect(throws: PrivacyError.self) { try ledger.history(of: customer(1)) }
            #expect(error?.description.contains("fails its authentication check") == true)
            #expect(throws: PrivacyError.self) { try ledger.event(at: 1) }
            #expect(throws: PrivacyError.self) { try ledger.customer(customer(1), asOfPosition: 2) }
            let report = try ledger.verify()
            let finding = try #require(report.findings.first { $0.position == 1 })
            #expect(finding.detail.contains("authentication"))
        }
        // Without the key the damage cannot be seen, and nothing is decoded from it.
        let withoutKey = try openLedger(at: path, masterKey: nil)
        #expect(try withoutKey.history(of: customer(1)).first?.personalData == .withheld(.noKey))
    }

    @Test func tamperedProjectionCopyIsDetected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try writeCustomers(try openLedger(at: path)) }
        // The customer state keeps a copy of the sealed registration. The test flips the last
        // byte of that copy, which is in its authentication tag.
        try withRawLMDB(path) { txn in
            let key = positionKey(2)
            var state = try txn.get("customers.0", key)!
            let sealed = try txn.get("events", positionKey(2))!.suffix(20)
            let range = try #require(Data(state).range(of: Data(sealed)))
            state[range.upperBound - 1] ^= 0x01
            try txn.put("customers.0", key, state)
        }

        let ledger = try openLedger(at: path)
        let error = #expect(throws: PrivacyError.self) { try ledger.customer(customer(2)) }
        #expect(error?.description.contains("fails its authentication check") == true)
        #expect(try ledger.history(of: customer(2)).count == 2)
    }

    @Test func dataKeyMovedToAnotherCustomerIsDetected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try writeCustomers(try openLedger(at: path)) }
        try withRawLMDB(path) { txn in
            let first = try txn.get("data-keys", positionKey(1))!
            try txn.put("data-keys", positionKey(2), first)
        }

        let ledger = try openLedger(at: path)
        let error = #expect(throws: PrivacyError.self) { try ledger.customer(customer(2)) }
        #expect(error == .tamperedCiphertext("the stored data key of customer 2"))
        #expect(try ledger.customer(customer(1))?.profile.name == zhang.name)
    }

    @Test func filesAndKeyFilesAreOwnerOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/nested/db"
        do { try writeCustomers(try openLedger(at: path)) }
        func mode(_ file: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as! NSNumber).intValue
        }
        #expect(try mode(path) == 0o700)
        #expect(try mode(path + "/data.mdb") == 0o600)
        #expect(try mode(path + "/lock.mdb") == 0o600)

        let keyFile = directory.path + "/master.key"
        let key = MasterKey.generate()
        try key.write(toFile: keyFile)
        #expect(try mode(keyFile) == 0o600)
        #expect(try MasterKey(contentsOfFile: keyFile).fingerprint == key.fingerprint)
        let keyHex = Hex.string(key.bytes)
        #expect(throws: PrivacyError.self) { try key.write(toFile: keyFile) }
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8).contains(keyHex))

        for unsafe in [0o644, 0o640, 0o604, 0o660] {
            chmod(keyFile, mode_t(unsafe))
            let error = #expect(throws: PrivacyError.self) { try MasterKey(contentsOfFile: keyFile) }
            #expect(error?.description.contains("chmod 600") == true)
            #expect(error?.description.contains(keyHex) == false)
        }
        chmod(keyFile, 0o600)

        let damaged = directory.path + "/damaged.key"
        FileManager.default.createFile(atPath: damaged, contents: Data("secret-looking-text\n".utf8), attributes: [.posixPermissions: 0o600])
        let error = #expect(throws: PrivacyError.self) { try MasterKey(contentsOfFile: damaged) }
        #expect(error?.description.contains("secret-looking-text") == false)
        #expect(throws: PrivacyError.invalidKey("the master key is all zeros; create a key with 'ledger keygen FILE'")) {
            try MasterKey(bytes: Array(repeating: 0, count: 32))
        }
    }

    @Test func importNeedsTheSameMasterKey() throws {
        let directory = try TemporaryDirectory()
        let source = try openLedger(at: directory.path + "/source")
        try writeCustomers(source)
        try source.erase(customer(2), reason: "request", at: time("2024-03-01"))
        var header: ExportHeader?
        var events: [ExportedEvent] = []
        try source.exportEvents(header: { header = $0 }) { events.append($0) }
        #expect(events.contains { $0.sealedPayload != nil })
        #expect("\(events)".contains(zhang.name) == false)

        let stranger = try openLedger(at: directory.path + "/stranger", masterKey: MasterKey.generate())
        let error = #expect(throws: EventTransferError.self) { try stranger.importEvents(events, header: header!) }
        #expect(error?.field == "master_key")
        #expect(try stranger.lastPosition() == 0)

        let copy = try openLedger(at: directory.path + "/copy")
        try copy.importEvents(events, header: header!)
        #expect(try copy.head() == (try source.head()))
        #expect(try copy.customer(customer(1)) == (try source.customer(customer(1))))
        #expect(try copy.customer(customer(1))?.profile.name == zhang.name)
        #expect(try copy.customer(customer(2))?.personalData == .withheld(.erased))
        #expect(try copy.verify().isVerified)
    }
}

/// Writes the two customers, erases customer 1 and returns the ledger and its last position.
private func writeAndErase(at path: String) throws -> (Ledger, UInt64) {
    let ledger = try openLedger(at: path)
    try writeCustomers(ledger)
    let outcome = try ledger.erase(customer(1), reason: "request", at: time("2024-03-01"))
    return (ledger, outcome.position)
}
