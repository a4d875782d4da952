import CLMDB
import Foundation
import Testing

/// Two customers and three purchases: five events.
private let smallCDNOWFile = """
     customer_id  date number_of_cds  dollar_value
     00001 19970101  1   11.77
     00002 19970112  1   12.00
     00002 19970112  5   77.00

    """

/// Imports `smallCDNOWFile` into a new ledger in `folder` and returns the ledger's path.
private func makeSmallLedger(in folder: String) async throws -> String {
    let database = folder + "/ledger.db"
    let file = folder + "/small.txt"
    try smallCDNOWFile.write(toFile: file, atomically: true, encoding: .utf8)
    let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)
    guard result.status == 0 else {
        throw LedgerProcessError(description: "importing the small CDNOW file failed: \(result)")
    }
    return database
}

/// Opens the closed ledger at `path` with raw LMDB and runs `body` on one write transaction,
/// bypassing the ledger's own checks.
private func tamper(_ path: String, _ body: (OpaquePointer) -> Int32) throws {
    var env: OpaquePointer?
    #expect(mdb_env_create(&env) == 0)
    defer { mdb_env_close(env) }
    #expect(mdb_env_set_maxdbs(env, 16) == 0)
    try #require(mdb_env_open(env, path, 0, 0o600) == 0)
    var txn: OpaquePointer?
    try #require(mdb_txn_begin(env, nil, 0, &txn) == 0)
    let code = body(txn!)
    guard code == 0 else {
        mdb_txn_abort(txn)
        throw LedgerProcessError(description: "tampering failed with LMDB code \(code)")
    }
    try #require(mdb_txn_commit(txn) == 0)
}

/// Deletes the event at `position` from the `events` table.
private func deleteEvent(at position: UInt64, in path: String) throws {
    try tamper(path) { txn in
        var dbi: MDB_dbi = 0
        let opened = mdb_dbi_open(txn, "events", 0, &dbi)
        guard opened == 0 else { return opened }
        var key = position.bigEndian
        return withUnsafeMutableBytes(of: &key) { bytes in
            var keyValue = MDB_val(mv_size: 8, mv_data: bytes.baseAddress)
            return mdb_del(txn, dbi, &keyValue, nil)
        }
    }
}

/// Turns the ledger at `path` into format 1: no hashes table, no chain head.
private func downgradeToFormatOne(_ path: String) throws {
    try tamper(path) { txn in
        var hashes: MDB_dbi = 0
        var meta: MDB_dbi = 0
        for (name, handle) in [("hashes", withUnsafeMutablePointer(to: &hashes) { $0 }), ("meta", withUnsafeMutablePointer(to: &meta) { $0 })] {
            let opened = mdb_dbi_open(txn, name, 0, handle)
            guard opened == 0 else { return opened }
        }
        let dropped = mdb_drop(txn, hashes, 1)
        guard dropped == 0 else { return dropped }
        var formatKey = Array("format".utf8)
        var format: [UInt8] = [1]
        return formatKey.withUnsafeMutableBytes { keyBytes in
            format.withUnsafeMutableBytes { valueBytes in
                var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                var value = MDB_val(mv_size: valueBytes.count, mv_data: valueBytes.baseAddress)
                return mdb_put(txn, meta, &keyValue, &value, 0)
            }
        }
    }
}

@Suite("ledger verify and ledger head")
struct VerifyCommandTests {
    @Test func cleanLedgerVerifies() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)

            let head = try await LedgerProcess.run(["head"], database: database)
            #expect(head.status == 0, "\(head)")
            #expect(head.outputLines.count == 2, "\(head)")
            #expect(head.outputLines.first == "position  5", "\(head)")
            let hashLine = try #require(head.outputLines.last)
            #expect(hashLine.hasPrefix("hash      "), "\(head)")
            let hash = String(hashLine.dropFirst("hash      ".count))
            #expect(hash.count == 64, "\(head)")
            #expect(hash.allSatisfy { $0.isHexDigit }, "\(head)")

            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")
            #expect(verify.standardOutput == "verified 5 events, head \(hash) at position 5\n", "\(verify)")
            #expect(verify.standardError.isEmpty, "\(verify)")
        }
    }

    @Test func jsonOutputsAgree() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)

            let head = try jsonObject(try await LedgerProcess.run(["head", "--json"], database: database))
            let verifyResult = try await LedgerProcess.run(["verify", "--json"], database: database)
            #expect(verifyResult.status == 0, "\(verifyResult)")
            let verify = try jsonObject(verifyResult)

            #expect(head["position"] as? Int == 5)
            #expect(verify["verified"] as? Bool == true)
            #expect(verify["events"] as? Int == 5)
            #expect((verify["findings"] as? [Any])?.isEmpty == true)
            let verifiedHead = try #require(verify["head"] as? [String: Any])
            #expect(verifiedHead["hash"] as? String == head["hash"] as? String)
            #expect(verify["recomputed_hash"] as? String == head["hash"] as? String)
        }
    }

    @Test func headChangesAfterImport() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let before = try await LedgerProcess.run(["head"], database: database)
            let file = folder + "/more.txt"
            try " customer_id  date number_of_cds  dollar_value\n 00003 19970201  2   20.00\n".write(
                toFile: file, atomically: true, encoding: .utf8)
            let imported = try await LedgerProcess.run(["import", "cdnow", file], database: database)
            #expect(imported.status == 0, "\(imported)")

            let after = try await LedgerProcess.run(["head"], database: database)
            #expect(after.outputLines.first == "position  7", "\(after)")
            #expect(after.outputLines.last != before.outputLines.last, "\(after)")
        }
    }

    @Test func deletedEventExits65() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            try deleteEvent(at: 3, in: database)

            let text = try await LedgerProcess.run(["verify"], database: database)
            #expect(text.status == 65, "\(text)")
            #expect(text.outputLines.first == "FIRST FINDING  position-gap at position 3", "\(text)")
            #expect(text.standardOutput.contains("position 3: position-gap: position 3 is missing before the event at 4"), "\(text)")
            #expect(text.standardError.contains("ledger verify: the ledger failed verification with "), "\(text)")
            #expect(text.standardError.contains("the first is position-gap at position 3"), "\(text)")

            let json = try await LedgerProcess.run(["verify", "--json"], database: database)
            #expect(json.status == 65, "\(json)")
            let report = try jsonObject(json)
            #expect(report["verified"] as? Bool == false)
            let first = try #require((report["findings"] as? [[String: Any]])?.first)
            #expect(first["kind"] as? String == "position-gap")
            #expect(first["position"] as? Int == 3)
        }
    }

    @Test func formatOneLedgerNeedsWritableOpen() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let head = try await LedgerProcess.run(["head"], database: database)
            try downgradeToFormatOne(database)

            let rejected = try await LedgerProcess.run(["verify"], database: database)
            #expect(rejected.status == 65, "\(rejected)")
            #expect(rejected.standardError.contains("open it once writable to upgrade it to format 3"), "\(rejected)")

            let replay = try await LedgerProcess.run(["replay"], database: database)
            #expect(replay.status == 0, "\(replay)")
            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")
            // The upgrade hashes the same records, so it reaches the same head.
            let upgradedHead = try await LedgerProcess.run(["head"], database: database)
            #expect(upgradedHead.standardOutput == head.standardOutput, "\(upgradedHead)")
        }
    }

    @Test(arguments: ["verify", "head"])
    func missingLedgerIsNotFound(command: String) async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run([command], database: folder + "/absent.db")
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at"), "\(result)")
        }
    }

    @Test func overviewListsCommands() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["--help"], database: folder + "/ledger.db")
            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput.contains("\n  verify "), "\(result)")
            #expect(result.standardOutput.contains("\n  head "), "\(result)")
            #expect(result.standardOutput.contains("65 invalid data, a\n"), "\(result)")
        }
    }
}
