import Foundation

/// The named LMDB databases of a ledger and the meta keys that tie them together.
///
/// - `events`: position (8 bytes, big-endian) → encoded event, appended with `MDB_APPEND`. Each
///   event records the distance back to its customer's previous event, and the customer's
///   projection stores the newest position, so that those links are the per-customer index.
/// - `event-ids`: event id (16 bytes) → position, for idempotent appends.
/// - `hashes`: position (8 bytes, big-endian) → h(position), the 32-byte link of the hash chain
///   over the stored records (see ``HashChain``), written in the transaction of its event.
/// - `customers.0`/`customers.1`: two projection tables. `meta["projections.active"]` names the
///   live one, so that replay fills the other and swaps.
/// - `data-keys`: customer id (8 bytes, big-endian) → the customer's data key wrapped by the
///   master key (see ``DataKeyStore``), in an encrypted ledger.
/// - `meta`: format, last position, chain head, projection position, active projection set,
///   program, statistics and, in an encrypted ledger, the master key's check value.
struct Schema {
    /// The table of the log's position, chain head, program and format, which every open reads.
    static let metaTableName = "meta"

    let events: Database
    let eventIDs: Database
    let hashes: Database
    let dataKeys: Database
    let meta: Database
    let projectionSets: [ProjectionTables]
    /// The last program decoded, reused while the stored bytes stay the same.
    let programCache = ProgramCache()
    /// The last program timeline decoded, reused while the stored versions stay the same.
    let timelineCache = TimelineCache()

    /// Format 2 added the hash chain: the `hashes` table and `meta["chain.head"]`. Format 3
    /// added encryption: the `data-keys` table, `meta["encryption"]`, sealed personal parts,
    /// and customer states without personal data in clear. Opening a format 1 or 2 ledger
    /// writable upgrades it. Its events keep their personal data in clear, because the hash
    /// chain covers the stored bytes.
    static let format: UInt8 = 3
    static let formatWithoutHashChain: UInt8 = 1
    static let formatWithoutEncryption: UInt8 = 2

    enum MetaKey {
        static let format = "format"
        static let logPosition = "log.position"
        /// The last position and its chain hash: 8 bytes big-endian, then 32 bytes.
        static let chainHead = "chain.head"
        static let projectionPosition = "projections.position"
        static let activeSet = "projections.active"
        /// The base program: the one in force before the first program event.
        static let program = "program"
        /// The program versions recorded by program events, with their positions.
        static let programVersions = "program.versions"
        /// 1 while projections written by an older format wait to be rebuilt by a replay, else 0 or absent.
        static let rebuildProjections = "projections.rebuild"
        static let statistics = "statistics"
        /// In an encrypted ledger: the scheme (1, XChaCha20-Poly1305 with per-customer keys),
        /// then the 32-byte check value of the master key (``MasterKey/checkValue``).
        static let encryption = "encryption"
    }

    static func open(_ environment: Environment, create: Bool) throws -> Schema {
        func database(_ name: String) throws -> Database {
            do {
                return try environment.database(name, create: create)
            } catch let error as LMDBError where error.code == LMDBError.notFound {
                throw LedgerError.incompatibleDatabase(
                    "'\(environment.path)' has no '\(name)' table; it is not a ledger database")
            }
        }
        let events = try database("events")
        let eventIDs = try database("event-ids")
        let meta = try database(metaTableName)
        let projectionSets = [
            ProjectionTables(customers: try database("customers.0")),
            ProjectionTables(customers: try database("customers.1")),
        ]
        // Only a read-only open can miss these tables: a writable one creates them.
        func upgradedTable(_ name: String) throws -> Database {
            do {
                return try environment.database(name, create: create)
            } catch let error as LMDBError where error.code == LMDBError.notFound {
                var key = MetaKey.format
                let format = try environment.read { txn in
                    try key.withUTF8 { try txn.get(meta, UnsafeRawBufferPointer($0)).map { Array($0) } }
                }
                if let format, format == [formatWithoutHashChain] || format == [formatWithoutEncryption] {
                    throw upgradeNeeded(from: format[0])
                }
                throw LedgerError.incompatibleDatabase(
                    "'\(environment.path)' has no '\(name)' table; it is not a ledger database")
            }
        }
        let hashes = try upgradedTable("hashes")
        let dataKeys = try upgradedTable("data-keys")
        return Schema(
            events: events, eventIDs: eventIDs, hashes: hashes, dataKeys: dataKeys, meta: meta,
            projectionSets: projectionSets)
    }

    /// Returns the error for a ledger of an older format opened read-only, which cannot be upgraded.
    static func upgradeNeeded(from format: UInt8) -> LedgerError {
        let missing = format == formatWithoutHashChain ? "the hash chain and encryption" : "encryption"
        return LedgerError.incompatibleDatabase(
            "the ledger has format \(format), from a version without \(missing); open it once writable to upgrade it to format \(Schema.format), which rebuilds the projections; in the CLI, 'ledger replay' opens it writable")
    }

    /// Writes the format, program and master key check of a new ledger, or checks the format of
    /// an existing one and upgrades an older format.
    ///
    /// - parameter masterKey: the key that encrypts a new ledger, or nil for one that keeps
    ///   personal data in clear.
    func initialize(_ txn: Transaction, program: LoyaltyProgram, masterKey: MasterKey?) throws {
        if let format = try metaBytes(txn, MetaKey.format) {
            if format == [Schema.formatWithoutHashChain] {
                try upgradeToHashChain(txn)
            }
            if format == [Schema.formatWithoutHashChain] || format == [Schema.formatWithoutEncryption] {
                // Older formats stored personal data in the customer states and lacked lots,
                // window currencies or the latest event time, so the projections are rebuilt.
                try putMeta(txn, MetaKey.format, [Schema.format])
                try putMeta(txn, MetaKey.rebuildProjections, [1])
            }
            try checkFormat(txn)
            return
        }
        try putMeta(txn, MetaKey.format, [Schema.format])
        try putMeta(txn, MetaKey.program, program.encode())
        try putMeta(txn, MetaKey.activeSet, [0])
        if let masterKey { try putMeta(txn, MetaKey.encryption, [1] + masterKey.checkValue) }
    }

    /// Returns the stored check value of the master key, or nil for a ledger without encryption.
    func masterKeyCheck(_ txn: Transaction) throws -> [UInt8]? {
        guard let stored = try metaBytes(txn, MetaKey.encryption) else { return nil }
        guard stored.count == 33, stored[0] == 1 else {
            throw LedgerError.incompatibleDatabase(
                "the ledger's encryption settings are damaged or from a newer version; restore the ledger from a backup or use a newer version")
        }
        return Array(stored[1...])
    }

    func checkFormat(_ txn: Transaction) throws {
        guard let format = try metaBytes(txn, MetaKey.format) else {
            throw LedgerError.incompatibleDatabase(
                "the folder contains no initialized ledger; open it once without read-only to initialize it")
        }
        if format == [Schema.formatWithoutHashChain] || format == [Schema.formatWithoutEncryption] {
            throw Schema.upgradeNeeded(from: format[0])
        }
        guard format == [Schema.format] else {
            throw LedgerError.incompatibleDatabase(
                "the database has format \(format.first ?? 0) and this version reads format \(Schema.format); use a matching version of the ledger")
        }
    }

    func metaBytes(_ txn: Transaction, _ key: String) throws -> [UInt8]? {
        var name = key
        return try name.withUTF8 { utf8 in
            try txn.get(meta, UnsafeRawBufferPointer(utf8)).map { Array($0) }
        }
    }

    func putMeta(_ txn: Transaction, _ key: String, _ value: [UInt8]) throws {
        var name = key
        try name.withUTF8 { utf8 in
            try value.withUnsafeBytes { try txn.put(meta, UnsafeRawBufferPointer(utf8), $0) }
        }
    }

    func metaUInt64(_ txn: Transaction, _ key: String) throws -> UInt64 {
        guard let bytes = try metaBytes(txn, key) else { return 0 }
        return bytes.withUnsafeBytes { Keys.readUInt64($0) }
    }

    func putMeta(_ txn: Transaction, _ key: String, _ value: UInt64) throws {
        try putMeta(txn, key, withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }

    func program(_ txn: Transaction) throws -> LoyaltyProgram {
        guard let bytes = try metaBytes(txn, MetaKey.program) else {
            throw LedgerError.incompatibleDatabase("the ledger has no loyalty program stored")
        }
        if let cached = programCache.program(for: bytes) { return cached }
        do {
            let program = try bytes.withUnsafeBytes { try LoyaltyProgram.decode($0) }
            programCache.store(program, for: bytes)
            return program
        } catch {
            // The base program starts the hash chain and cannot be rebuilt from the log.
            throw LedgerError.incompatibleDatabase(
                "the stored base program is damaged (\(error)); restore the ledger from a backup")
        }
    }

    /// Returns the base program and the versions recorded by program events.
    func timeline(_ txn: Transaction) throws -> ProgramTimeline {
        let base = try program(txn)
        let bytes = try metaBytes(txn, MetaKey.programVersions) ?? []
        // Every state and tier lookup needs the timeline, so the decoded one is reused while
        // neither the base program nor the recorded versions change.
        if let cached = timelineCache.timeline(for: bytes), cached.base == base { return cached }
        var timeline = ProgramTimeline(base: base)
        if !bytes.isEmpty {
            do {
                try bytes.withUnsafeBytes { try timeline.decodeVersions($0) }
            } catch {
                throw LedgerError.corruptProjection("program versions: \(error)")
            }
        }
        timelineCache.store(timeline, for: bytes)
        return timeline
    }

    /// Returns the live projection tables.
    func activeProjections(_ txn: Transaction) throws -> ProjectionTables {
        let active = try metaBytes(txn, MetaKey.activeSet)?.first ?? 0
        return projectionSets[Int(active & 1)]
    }

    /// Returns a source that reads stored customer states from the live tables and rebuilds
    /// orders from the events.
    func projectionSource(_ txn: Transaction) throws -> ProjectionSource {
        ProjectionSource(transaction: txn, customers: try activeProjections(txn).customers, events: events)
    }

    func statistics(_ txn: Transaction) throws -> LogStatistics {
        guard let bytes = try metaBytes(txn, MetaKey.statistics) else { return LogStatistics() }
        do {
            return try bytes.withUnsafeBytes { try LogStatistics.decode($0) }
        } catch {
            throw LedgerError.corruptProjection("statistics: \(error)")
        }
    }
}

/// The decoded loyalty program with the bytes it came from, shared by the threads of one ledger.
final class ProgramCache: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var program: LoyaltyProgram?

    func program(for stored: [UInt8]) -> LoyaltyProgram? {
        lock.lock()
        defer { lock.unlock() }
        return stored == bytes ? program : nil
    }

    func store(_ decoded: LoyaltyProgram, for stored: [UInt8]) {
        lock.lock()
        bytes = stored
        program = decoded
        lock.unlock()
    }
}

/// The decoded program timeline with the version bytes it came from, shared by the threads of one ledger.
final class TimelineCache: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var timeline: ProgramTimeline?

    func timeline(for stored: [UInt8]) -> ProgramTimeline? {
        lock.lock()
        defer { lock.unlock() }
        return stored == bytes ? timeline : nil
    }

    func store(_ decoded: ProgramTimeline, for stored: [UInt8]) {
        lock.lock()
        bytes = stored
        timeline = decoded
        lock.unlock()
    }
}

/// One set of projection tables.
struct ProjectionTables {
    let customers: Database
}
