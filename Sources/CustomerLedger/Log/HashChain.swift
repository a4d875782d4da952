import CSodium
import Foundation

/// One link of the ledger's hash chain: a 32-byte BLAKE2b-256 digest.
struct ChainHash: Equatable, Sendable {
    static let byteCount = 32
    /// 32 zero bytes, the starting value of a digest being computed.
    static let zero = ChainHash(storage: .zero)

    /// The digest's bytes in order, byte 0 first.
    var storage: SIMD32<UInt8>

    init(storage: SIMD32<UInt8>) {
        self.storage = storage
    }

    /// Reads a stored hash, or returns nil when `bytes` is not exactly 32 bytes long.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Self.byteCount else { return nil }
        storage = bytes.loadUnaligned(as: SIMD32<UInt8>.self)
    }

    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: storage, body)
    }

    /// The 64 lowercase hex digits of the bytes in order.
    var hex: String {
        withBytes { Hex.string($0) }
    }
}

/// The tamper-evident hash chain over the stored events.
///
/// h(p) = BLAKE2b-256(h(p − 1) ‖ p as 8 bytes big-endian ‖ the stored record at p), unkeyed, with
/// h(0) = BLAKE2b-256("customer-ledger genesis" ‖ the stored base program), so that the program
/// the ledger starts with is covered too. The record is the exact value stored under key p in
/// `events`. Each h(p) is stored under key p in `hashes`, and the last position with its hash in
/// `meta["chain.head"]`.
enum HashChain {
    /// The text that starts the input of h(0), before the base program's bytes.
    static let genesisPrefix = Array("customer-ledger genesis".utf8)

    /// Returns h(0) for a ledger whose base program is stored as `program`.
    static func genesis(program: [UInt8]) -> ChainHash {
        precondition(isLibraryReady, "sodium_init failed; call HashChain.prepare() before hashing")
        var result = ChainHash.zero
        let input = genesisPrefix + program
        let code = input.withUnsafeBufferPointer { bytes in
            withUnsafeMutableBytes(of: &result.storage) { output in
                crypto_generichash(
                    output.baseAddress!.assumingMemoryBound(to: UInt8.self), ChainHash.byteCount, bytes.baseAddress,
                    UInt64(bytes.count), nil, 0)
            }
        }
        precondition(code == 0, "crypto_generichash failed with a fixed, valid output length")
        return result
    }

    /// True once `sodium_init` succeeded. Swift runs the initializer of a static once per process,
    /// on first use, so libsodium is initialized once, before its first hash, as it requires.
    private static let isLibraryReady = sodium_init() >= 0

    /// The size in bytes of libsodium's BLAKE2b state, which must be 64-byte aligned.
    private static let stateByteCount = crypto_generichash_statebytes()

    /// Initializes libsodium, and throws when it cannot run (`sodium_init` returned -1).
    static func prepare() throws {
        guard isLibraryReady else {
            throw StorageError(
                description: "libsodium failed to initialize (sodium_init returned -1), so the hash chain cannot be computed")
        }
    }

    /// Returns h(position) from h(position − 1) and the stored record at `position`.
    static func link(after previous: ChainHash, position: UInt64, record: UnsafeRawBufferPointer) -> ChainHash {
        precondition(isLibraryReady, "sodium_init failed; call HashChain.prepare() before hashing")
        var result = ChainHash.zero
        withUnsafeTemporaryAllocation(byteCount: stateByteCount, alignment: 64) { buffer in
            // Swift imports the 64-byte aligned state struct as an opaque pointer.
            let state = OpaquePointer(buffer.baseAddress!)
            // The calls fail only for an invalid output length or key length, and these are fixed.
            var code = crypto_generichash_init(state, nil, 0, ChainHash.byteCount)
            previous.withBytes { bytes in
                code |= crypto_generichash_update(state, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
            }
            Keys.withUInt64(position) { key in
                code |= crypto_generichash_update(state, key.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(key.count))
            }
            if let base = record.baseAddress {
                code |= crypto_generichash_update(state, base.assumingMemoryBound(to: UInt8.self), UInt64(record.count))
            }
            withUnsafeMutableBytes(of: &result.storage) { output in
                code |= crypto_generichash_final(state, output.baseAddress!.assumingMemoryBound(to: UInt8.self), ChainHash.byteCount)
            }
            precondition(code == 0, "crypto_generichash failed with a fixed, valid output length")
        }
        return result
    }
}

/// The end of the hash chain: the last position and its hash.
public struct LogHead: Equatable, Sendable, CustomStringConvertible {
    /// The position of the last event, or 0 for an empty log.
    public var position: UInt64
    /// h(position) as 64 lowercase hex digits; h(0), the hash of the base program, for an empty log.
    public var hash: String

    public init(position: UInt64, hash: String) {
        self.position = position
        self.hash = hash
    }

    public var description: String { "position \(position), hash \(hash)" }
}

extension Schema {
    /// Returns h(0): the hash of the stored base program.
    func genesis(_ txn: Transaction) throws -> ChainHash {
        guard let program = try metaBytes(txn, MetaKey.program) else {
            throw LedgerError.brokenHashChain("the base program, which starts the chain, is missing from meta")
        }
        return HashChain.genesis(program: program)
    }

    /// Returns the stored chain head, or position 0 with h(0) when none is stored yet.
    /// Throws ``LedgerError/brokenHashChain(_:)`` for a stored value that is not 40 bytes long.
    func chainHead(_ txn: Transaction) throws -> (position: UInt64, hash: ChainHash) {
        guard let bytes = try metaBytes(txn, MetaKey.chainHead) else { return (0, try genesis(txn)) }
        guard bytes.count == 8 + ChainHash.byteCount else {
            throw LedgerError.brokenHashChain(
                "its head in meta has \(bytes.count) bytes instead of \(8 + ChainHash.byteCount)")
        }
        return bytes.withUnsafeBytes { buffer in
            (Keys.readUInt64(buffer), ChainHash(UnsafeRawBufferPointer(rebasing: buffer[8...]))!)
        }
    }

    /// Stores the position and hash of the last event: 8 bytes big-endian, then the 32 hash bytes.
    func putChainHead(_ txn: Transaction, position: UInt64, hash: ChainHash) throws {
        var value = withUnsafeBytes(of: position.bigEndian) { Array($0) }
        hash.withBytes { value.append(contentsOf: $0) }
        try putMeta(txn, MetaKey.chainHead, value)
    }

    /// Puts h(position) in `hashes`, after every stored hash.
    func appendHash(_ txn: Transaction, position: UInt64, hash: ChainHash) throws {
        try Keys.withUInt64(position) { key in
            try hash.withBytes { try txn.put(hashes, key, $0, append: true) }
        }
    }

    /// Upgrades a format 1 ledger, which has no hash chain, to format 2: hashes every stored event
    /// in position order, stores the head and the new format, all in the caller's transaction.
    ///
    /// The chain starts from the bytes stored now, so it cannot show changes made before the upgrade.
    func upgradeToHashChain(_ txn: Transaction) throws {
        try txn.empty(hashes)
        var head = (position: UInt64(0), hash: try genesis(txn))
        try txn.withCursor(events) { cursor in
            var entry = try cursor.first()
            while let (key, value) = entry {
                let position = Keys.readUInt64(key)
                // The link is computed before the put, because a write may move the pages that
                // `value` points into.
                head = (position, HashChain.link(after: head.hash, position: position, record: value))
                try appendHash(txn, position: position, hash: head.hash)
                entry = try cursor.next()
            }
        }
        try putChainHead(txn, position: head.position, hash: head.hash)
        try putMeta(txn, MetaKey.format, [Schema.format])
    }
}

extension Ledger {
    /// Returns the last position and its chain hash, h(position), as stored beside the log.
    ///
    /// An auditor who records the head can later check with ``verify(progress:)``, or by
    /// recomputing the chain with another tool, that no event up to that position changed.
    @available(*, noasync)
    public func head() throws -> LogHead {
        try environment.read { txn in
            let head = try schema.chainHead(txn)
            return LogHead(position: head.position, hash: head.hash.hex)
        }
    }
}
