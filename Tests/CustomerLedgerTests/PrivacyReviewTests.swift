import Foundation
import Testing

@testable import CustomerLedger

// Cases that a security review of encryption, roles and erasure found, each kept as a test.

private let wang = CustomerProfile(
    name: "王芳", phone: "+86 139 8765 4321", email: "wang.fang@example.com", province: "江苏省", city: "南京市",
    address: "鼓楼区中山路 18 号")

private func register(_ ledger: Ledger, _ number: UInt64, profile: CustomerProfile = wang, referrer: UInt64? = nil,
                      at instant: String = "2024-01-01") throws {
    try ledger.append(
        NewEvent(
            customerID: customer(number), occurredAt: time(instant),
            payload: .customerRegistered(CustomerRegistered(profile: profile, referrer: referrer.map(customer)))))
}

private func exportAll(_ ledger: Ledger) throws -> (ExportHeader, [ExportedEvent]) {
    var header: ExportHeader?
    var events: [ExportedEvent] = []
    try ledger.exportEvents(header: { header = $0 }) { events.append($0) }
    return (header!, events)
}

@Suite struct PrivacyReviewTests {
    @Test func analystAndSupportCannotImportErasures() throws {
        let directory = try TemporaryDirectory()
        let source = try openLedger(at: directory.path + "/source")
        try register(source, 1)
        try source.erase(customer(1), reason: "request R-9", at: time("2024-02-01"))
        let (header, events) = try exportAll(source)

        for role in [AccessRole.analyst, .support] {
            let target = try openLedger(at: directory.path + "/\(role)", role: role)
            #expect(throws: PrivacyError.self) { try target.importEvents(events, header: header) }
            #expect(try target.lastPosition() == 0)
        }
        let analyst = try openLedger(at: directory.path + "/replay", role: .analyst)
        #expect(throws: PrivacyError.roleNotAllowed(role: .analyst, operation: "replaying the log")) { try analyst.replay() }
    }

    @Test func analystCannotCompact() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try register(try openLedger(at: path), 1) }

        #expect(throws: PrivacyError.roleNotAllowed(role: .analyst, operation: "compacting")) {
            try Ledger.compact(path: path, options: .init(masterKey: testMasterKey, role: .analyst))
        }
    }

    @Test func masterKeyNeverPrintsItsBytes() {
        let key = MasterKey.generate()
        let hex = Hex.string(key.bytes)
        var dumped = ""
        dump(key, to: &dumped)
        let options = Ledger.Options(masterKey: key)

        for text in ["\(key)", String(reflecting: key), dumped, "\(options)", String(describing: [key])] {
            #expect(!text.contains(hex))
            #expect(!text.contains("\(key.bytes[0]), \(key.bytes[1]), \(key.bytes[2])"))
        }
        #expect("\(key)" == "MasterKey(fingerprint: \(key.fingerprint))")
    }

    @Test func importWithoutDataKeyIsRejected() throws {
        let directory = try TemporaryDirectory()
        let source = try openLedger(at: directory.path + "/source")
        try register(source, 1)
        let (header, events) = try exportAll(source)
        var stripped = events
        stripped[0].wrappedDataKey = nil
        var misplaced = events
        misplaced[0].sealedPayload = nil

        let target = try openLedger(at: directory.path + "/target")
        let error = #expect(throws: EventTransferError.self) { try target.importEvents(stripped, header: header) }
        #expect(error?.field == "data_key")
        #expect(error?.reason.contains("does not erase the customer") == true)
        let misplacedError = #expect(throws: EventTransferError.self) { try target.importEvents(misplaced, header: header) }
        #expect(misplacedError?.field == "data_key")
        #expect(try target.lastPosition() == 0)
    }

    @Test func customerWithoutDataKeyTakesNoPersonalData() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try register(try openLedger(at: path), 1) }
        // Deletes the key as a damaged restore could, without an erasure.
        try withRawLMDB(path) { txn in try txn.delete("data-keys", positionKey(1)) }

        let ledger = try openLedger(at: path)
        let update = profileUpdate(customer: 1, changes: ProfileChanges(phone: "13512345678"), at: time("2024-02-01"))
        let error = #expect(throws: LedgerError.self) { try ledger.append(update) }
        #expect(error?.description.contains("has no data key") == true)
        let file = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
        #expect(file.range(of: Data("13512345678".utf8)) == nil)
        // Events without personal fields still work.
        try ledger.append(purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-02-02")))
    }

    @Test func expiryAndReferralsSkipErasedCustomers() throws {
        let directory = try TemporaryDirectory()
        var program = LoyaltyProgram(currency: .cny)
        program.expiry = .afterDays(30)
        program.referral = ReferralReward(referrerPoints: 50, newCustomerPoints: 20)
        let ledger = try openLedger(at: directory.path + "/db", program: program)
        try register(ledger, 10)
        try register(ledger, 11)
        try register(ledger, 22, referrer: 11, at: "2024-01-02")
        try ledger.append([
            purchase(customer: 10, order: "A-1", amount: cny("100.00"), at: time("2024-02-10")),
            purchase(customer: 11, order: "B-1", amount: cny("100.00"), at: time("2024-02-10")),
        ])
        try ledger.erase(customer(10), reason: "request R-10", at: time("2024-02-11"))
        try ledger.erase(customer(11), reason: "request R-11", at: time("2024-02-11"))

        // The referred customer's purchase goes through; only the erased referrer's reward lapses.
        try ledger.append(purchase(customer: 22, order: "C-1", amount: cny("30.00"), at: time("2024-02-15")))
        #expect(try ledger.customer(customer(22))?.points.balance == 50)
        #expect(try ledger.customer(customer(11))?.points.balance == 100)

        let expired = try ledger.expirePoints(asOf: time("2024-06-01"))

        #expect(expired.events == 2)
        #expect(try ledger.customer(customer(22))?.points.expired == 50)
        #expect(try ledger.customer(customer(10))?.points.expired == 0)
        #expect(try ledger.customer(customer(10))?.points.balance == 100)
    }

    @Test func clearLedgerExportsOnlyForAdmin() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/clear"
        do {
            let ledger = try Ledger(path: path, options: .init(clock: { fixedRecordedAt }, encryptsPersonalData: false))
            try register(ledger, 1)
        }
        // A key passed to a ledger without encryption is not used.
        let admin = try openLedger(at: path, masterKey: MasterKey.generate())
        #expect(!admin.isEncrypted)
        let (header, events) = try exportAll(admin)
        #expect("\(events)".contains(wang.phone))

        for role in [AccessRole.analyst, .support] {
            #expect(throws: PrivacyError.self) { try admin.withRole(role).exportEvents(header: { _ in }) { _ in } }
        }
        let encrypted = try openLedger(at: directory.path + "/encrypted")
        let error = #expect(throws: EventTransferError.self) { try encrypted.importEvents(events, header: header) }
        #expect(error?.field == "master_key")
        #expect(error?.reason.contains("import it into a ledger created without encryption") == true)
    }

    @Test func erasureReasonMustNotHoldPersonalData() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try register(ledger, 1)
        try ledger.append(purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-03-05")))

        for (reason, field) in [
            ("王芳 asked by phone", "name"), ("call back 139-8765-4321", "phone number"),
            ("mail from WANG.FANG@example.com", "email"), ("letter to 鼓楼区中山路 18 号", "address"),
        ] {
            let error = #expect(throws: LedgerError.self) { try ledger.erase(customer(1), reason: reason, at: time("2024-03-06")) }
            #expect(error?.description.contains("contains the customer's \(field)") == true, "\(reason)")
            #expect(error?.description.contains(reason) == false)
        }
        #expect(throws: LedgerError.self) { try ledger.erase(customer(1), reason: "   ", at: time("2024-03-06")) }
        let early = #expect(throws: LedgerError.self) {
            try ledger.erase(customer(1), reason: "request R-1", at: time("2024-03-01"))
        }
        #expect(early?.description.contains("before the customer's latest event") == true)
        #expect(try ledger.customer(customer(1))?.erasedAt == nil)
        try ledger.erase(customer(1), reason: "request R-1", at: time("2024-03-06"))
    }

    @Test func compactKeepsOwnerAndRemovesLeftovers() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try register(try openLedger(at: path), 1) }
        let leftover = path + ".compacting-0badcafe"
        try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: false)
        let unrelated = path + ".compacting-notours"
        try FileManager.default.createDirectory(atPath: unrelated, withIntermediateDirectories: false)
        // Running as root, the test can hand the ledger to another user, as a service account owns it.
        let owner = geteuid() == 0 ? uid_t(65534) : geteuid()
        for file in [path, path + "/data.mdb", path + "/lock.mdb"] { chown(file, owner, gid_t(getegid())) }

        let summary = try Ledger.compact(path: path, options: .init(masterKey: testMasterKey))

        #expect(summary.removedLeftovers == [leftover])
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(FileManager.default.fileExists(atPath: unrelated))
        for file in [path, path + "/data.mdb", path + "/lock.mdb"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == owner, "\(file)")
        }
    }

    @Test func compactKeepsOtherFilesOut() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do { try register(try openLedger(at: path), 1) }
        try FileManager.default.createDirectory(atPath: path + "/notes", withIntermediateDirectories: false)
        let before = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))

        let error = #expect(throws: StorageError.self) { try Ledger.compact(path: path, options: .init(masterKey: testMasterKey)) }

        #expect(error?.description.contains("also contains 'notes'") == true)
        #expect(FileManager.default.fileExists(atPath: path + "/notes"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["db"])
    }

    @Test func everyEventRecordsAnActor() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(
            path: directory.path + "/db",
            options: .init(clock: { fixedRecordedAt }, masterKey: testMasterKey, actor: "clerk-7"))
        try register(ledger, 1)
        var named = purchase(customer: 1, order: "A-1", amount: cny("1.00"), at: time("2024-01-02"))
        named.metadata.actor = "pos-3"
        try ledger.append(named)

        #expect(try ledger.history(of: customer(1)).map(\.metadata.actor) == ["clerk-7", "pos-3"])
        #expect(throws: StorageError.self) {
            try Ledger(path: directory.path + "/other", options: .init(masterKey: testMasterKey, actor: "  "))
        }
        #expect(Ledger.defaultActor.isEmpty == false)
    }

    @Test func keyFilesOfOddShapes() throws {
        let directory = try TemporaryDirectory()
        let key = MasterKey.generate()
        let file = directory.path + "/bom.key"
        let text = "\u{FEFF}" + MasterKey.fileHeader + "\n" + Hex.string(key.bytes) + "\n"
        FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        #expect(try MasterKey(contentsOfFile: file).fingerprint == key.fingerprint)

        let large = directory.path + "/large.key"
        FileManager.default.createFile(
            atPath: large, contents: Data(repeating: 0x61, count: 100_000), attributes: [.posixPermissions: 0o600])
        let largeError = #expect(throws: PrivacyError.self) { try MasterKey(contentsOfFile: large) }
        #expect(largeError?.description.contains("100000 bytes long") == true)

        let link = directory.path + "/dangling.key"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory.path + "/missing.key")
        let linkError = #expect(throws: PrivacyError.self) { try MasterKey(contentsOfFile: link) }
        #expect(linkError?.description.contains("symbolic link to a missing file") == true)
    }

    @Test func verifyWithKeyNamesTamperedSealedData() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        do {
            let ledger = try openLedger(at: path)
            try register(ledger, 1)
            try ledger.append(purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-02-01")))
        }
        try withRawLMDB(path) { txn in
            var record = try txn.get("events", positionKey(1))!
            record[record.count - 1] ^= 0x01
            try txn.put("events", positionKey(1), record)
        }
        try rehashChain(path)

        let report = try openLedger(at: path).verify()

        // The projection still contains the sealed copy from before the change, so it differs too.
        #expect(report.findings.map(\.kind) == [.sealedDataChanged, .projection])
        #expect(report.findings.first?.position == 1)
    }
}
