import CLMDB
import CSodium
import Foundation

// Direct LMDB access for tests that damage a closed ledger the way someone with write access
// to its files could, bypassing every check of the library.

struct RawLMDBError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    var description: String { "\(call) failed: \(String(cString: mdb_strerror(code))) (code \(code))" }
}

private func checked(_ code: Int32, _ call: String) throws {
    if code != 0 { throw RawLMDBError(call: call, code: code) }
}

/// A write transaction on a raw LMDB environment, lent by ``withRawLMDB(_:_:)``.
struct RawTransaction {
    let txn: OpaquePointer

    func database(_ name: String) throws -> MDB_dbi {
        var dbi: MDB_dbi = 0
        try checked(mdb_dbi_open(txn, name, 0, &dbi), "mdb_dbi_open \(name)")
        return dbi
    }

    func get(_ name: String, _ key: [UInt8]) throws -> [UInt8]? {
        let dbi = try database(name)
        var keyCopy = key
        return try keyCopy.withUnsafeMutableBytes { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
            var value = MDB_val()
            let code = mdb_get(txn, dbi, &keyValue, &value)
            if code == MDB_NOTFOUND { return nil }
            try checked(code, "mdb_get")
            return Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
        }
    }

    func put(_ name: String, _ key: [UInt8], _ value: [UInt8]) throws {
        let dbi = try database(name)
        var keyCopy = key
        var valueCopy = value
        try keyCopy.withUnsafeMutableBytes { keyBytes in
            try valueCopy.withUnsafeMutableBytes { valueBytes in
                var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
                var dataValue = MDB_val(mv_size: valueBytes.count, mv_data: valueBytes.baseAddress)
                try checked(mdb_put(txn, dbi, &keyValue, &dataValue, 0), "mdb_put")
            }
        }
    }

    func delete(_ name: String, _ key: [UInt8]) throws {
        let dbi = try database(name)
        var keyCopy = key
        try keyCopy.withUnsafeMutableBytes { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: keyBytes.baseAddress)
            try checked(mdb_del(txn, dbi, &keyValue, nil), "mdb_del")
        }
    }

    /// Deletes the named database itself (`mdb_drop` with `del` 1).
    func drop(_ name: String) throws {
        try checked(mdb_drop(txn, try database(name), 1), "mdb_drop")
    }

    /// Returns every key and value of the named database in key order.
    func entries(_ name: String) throws -> [(key: [UInt8], value: [UInt8])] {
        let dbi = try database(name)
        var cursor: OpaquePointer?
        try checked(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var result: [(key: [UInt8], value: [UInt8])] = []
        var key = MDB_val()
        var value = MDB_val()
        var code = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        while code == 0 {
            result.append((
                Array(UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)),
                Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
            ))
            code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
        guard code == MDB_NOTFOUND else { throw RawLMDBError(call: "mdb_cursor_get", code: code) }
        return result
    }
}

/// Opens the LMDB environment in the folder `path` without the ledger, runs `body` in one write
/// transaction and commits it. The ledger must not be open in this process.
func withRawLMDB<Result>(_ path: String, _ body: (RawTransaction) throws -> Result) throws -> Result {
    var env: OpaquePointer?
    try checked(mdb_env_create(&env), "mdb_env_create")
    defer { mdb_env_close(env) }
    try checked(mdb_env_set_maxdbs(env, 16), "mdb_env_set_maxdbs")
    try checked(mdb_env_open(env, path, 0, 0o600), "mdb_env_open")
    var txn: OpaquePointer?
    try checked(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
    do {
        let result = try body(RawTransaction(txn: txn!))
        try checked(mdb_txn_commit(txn), "mdb_txn_commit")
        return result
    } catch {
        mdb_txn_abort(txn)
        throw error
    }
}

/// Returns `position` as the 8-byte big-endian key of `events` and `hashes`.
func positionKey(_ position: UInt64) -> [UInt8] {
    withUnsafeBytes(of: position.bigEndian) { Array($0) }
}

/// Recomputes the hash chain over every stored record with libsodium's one-shot
/// `crypto_generichash`, independently of the library, and returns each position with its hash in hex.
func recomputeChainSteps(_ path: String) throws -> [(position: UInt64, hash: String)] {
    precondition(sodium_init() >= 0, "sodium_init failed")
    let (records, program) = try withRawLMDB(path) { txn in
        (try txn.entries("events"), try txn.get("meta", Array("program".utf8)) ?? [])
    }
    // h(0) is the hash of the prefix and the stored base program.
    var hash = [UInt8](repeating: 0, count: 32)
    let genesisInput = Array("customer-ledger genesis".utf8) + program
    precondition(crypto_generichash(&hash, 32, genesisInput, UInt64(genesisInput.count), nil, 0) == 0, "crypto_generichash failed")
    var steps: [(position: UInt64, hash: String)] = []
    for (key, value) in records {
        let input = hash + key + value
        var next = [UInt8](repeating: 0, count: 32)
        let code = crypto_generichash(&next, 32, input, UInt64(input.count), nil, 0)
        precondition(code == 0, "crypto_generichash failed")
        hash = next
        steps.append((key.reduce(0) { $0 << 8 | UInt64($1) }, hash.map { String(format: "%02x", $0) }.joined()))
    }
    return steps
}

/// Recomputes every chain hash after records were changed with raw LMDB and stores the hashes
/// and the chain head, as an attacker who has read the scheme would, so that only other checks
/// can find the change.
func rehashChain(_ path: String) throws {
    func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }
    let steps = try recomputeChainSteps(path)
    try withRawLMDB(path) { txn in
        for step in steps {
            try txn.put("hashes", positionKey(step.position), bytes(step.hash))
        }
        if let last = steps.last {
            try txn.put("meta", Array("chain.head".utf8), positionKey(last.position) + bytes(last.hash))
        }
    }
}
