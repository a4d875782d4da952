import CLMDB
import Foundation

/// A customer ledger: an append-only event log in LMDB with the projections folded from it.
///
/// ```swift
/// let ledger = try Ledger(path: "shop.ledger", options: .init(program: LoyaltyProgram(currency: .cny)))
/// let customer = CustomerID(42)!
/// try ledger.append([
///     NewEvent(customerID: customer, occurredAt: Timestamp(parsing: "2024-03-01")!,
///              payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "张伟")))),
///     NewEvent(customerID: customer, occurredAt: Timestamp(parsing: "2024-03-02")!,
///              payload: .purchaseRecorded(PurchaseRecorded(orderID: "A-1", amount: Money(minorUnits: 12_800, currency: .cny)))),
/// ])
/// let state = try ledger.customer(customer)   // 128 points, 128.00 CNY net spend
/// ```
///
/// One process may append while others read, because LMDB serializes writers across processes.
///
/// > Important: Every method runs its LMDB transaction to completion before it returns and is
/// > marked `noasync`. Call the methods from a synchronous context or a dedicated thread, and
/// > never hold the ledger's transactions across an `await`.
public final class Ledger: @unchecked Sendable {
    /// The options for opening a ledger.
    public struct Options: Sendable {
        /// The loyalty program of a new ledger. An existing ledger keeps the one it was created with.
        public var program: LoyaltyProgram?
        public var readOnly: Bool
        /// The first map size of a new ledger in bytes. The map grows by doubling when full.
        public var initialMapSize: Int
        /// The ledger's clock for recorded-at times. Projections never read it.
        public var clock: @Sendable () -> Timestamp
        /// The key that wraps the customers' data keys. A new ledger is encrypted with it. An
        /// encrypted ledger opened without it is read-only, and its personal fields are withheld.
        public var masterKey: MasterKey?
        /// The reader's access level: which personal data reads return, and whether it may append.
        public var role: AccessRole
        /// The user or service that appends, recorded on every appended event that names no actor of its own.
        public var actor: String
        /// False creates a new ledger that stores personal data in clear, without a master key.
        /// Such a ledger cannot erase customers by destroying their keys.
        public var encryptsPersonalData: Bool
        /// False leaves the reader slots of processes that no longer exist in place at open, so
        /// that ``Ledger/diagnostics()`` can report them. Such slots keep LMDB from reusing
        /// pages, so set it only to inspect them, then call ``Ledger/clearStaleReaders()``.
        public var clearsStaleReadersOnOpen = true

        public init(
            program: LoyaltyProgram? = nil, readOnly: Bool = false, initialMapSize: Int = 64 << 20,
            clock: @escaping @Sendable () -> Timestamp = Ledger.systemClock, masterKey: MasterKey? = nil,
            role: AccessRole = .admin, actor: String = Ledger.defaultActor, encryptsPersonalData: Bool = true
        ) {
            self.program = program
            self.readOnly = readOnly
            self.initialMapSize = initialMapSize
            self.clock = clock
            self.masterKey = masterKey
            self.role = role
            self.actor = actor
            self.encryptsPersonalData = encryptsPersonalData
        }
    }

    /// The login name of the process's user, or `unknown` when it has none.
    public static var defaultActor: String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "unknown" }
        let text = String(cString: name)
        return text.isEmpty ? "unknown" : text
    }

    /// The wall clock, in microseconds.
    public static let systemClock: @Sendable () -> Timestamp = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(microseconds: Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000)
    }

    let environment: Environment
    let schema: Schema
    /// True when the ledger was opened read-only, or without the master key of an encrypted ledger.
    public let isReadOnly: Bool
    /// True when personal data is sealed under per-customer data keys. Ledgers upgraded from a
    /// version before encryption keep their personal data in clear.
    public let isEncrypted: Bool
    /// The reader's role.
    public let role: AccessRole
    /// The actor recorded on appended events that name none.
    public let actor: String
    /// The master key, when it was given and the ledger is encrypted.
    let masterKey: MasterKey?
    let clock: @Sendable () -> Timestamp
    /// Wakes the subscriptions of this process after each committed append.
    let commitNotifier: CommitNotifier

    /// The absolute path of the folder that contains the database files.
    public var path: String { environment.path }

    /// Opens the ledger in the folder at `path`, creating it when missing (unless read-only).
    ///
    /// A writable open upgrades a ledger of format 1, written before the hash chain existed, to
    /// format 2: it hashes every stored event in one write transaction, then rebuilds the
    /// projections with a replay. A read-only open of such a ledger throws
    /// ``LedgerError/incompatibleDatabase(_:)``.
    ///
    /// - throws: ``LMDBError`` when LMDB cannot open the folder, ``LedgerError/incompatibleDatabase(_:)``
    ///   when the folder contains another format, ``LedgerError/invalidProgram(_:)`` for an invalid program.
    @available(*, noasync)
    public init(path: String, options: Options = Options()) throws {
        guard !path.isEmpty else {
            throw StorageError(description: "the ledger path is empty; pass the path of a ledger folder")
        }
        if let program = options.program { try program.validate() }
        try HashChain.prepare()
        let exists = FileManager.default.fileExists(atPath: path + "/data.mdb")
        if options.readOnly && !exists {
            throw LMDBError(code: ENOENT, call: "mdb_env_open", path: path)
        }
        if !exists && options.encryptsPersonalData && options.masterKey == nil {
            throw PrivacyError.masterKeyRequired(PrivacyError.creatingLedger)
        }
        let actor = options.actor.trimmingCharacters(in: .whitespaces)
        guard !actor.isEmpty, actor.utf8.count <= 256, !actor.utf8.contains(0) else {
            throw StorageError(description: "the actor must be 1 to 256 bytes of text without NUL; pass a user or service name")
        }

        let environment = try Environment(
            path: path, initialMapSize: options.initialMapSize, readOnly: options.readOnly,
            clearingStaleReaders: options.clearsStaleReadersOnOpen)
        // LMDB follows the catalog's links when it opens the tables, and the open reads `meta`,
        // and a damaged link can crash it, so those pages are checked first.
        let damaged = try environment.checkPages(.catalog(tables: [Schema.metaTableName]))
        if let first = damaged.first {
            throw StorageError(
                description: "the database file '\(environment.path)/data.mdb' is damaged: \(first); restore the ledger from a backup")
        }
        let schema = try Schema.open(environment, create: !options.readOnly)
        self.environment = environment
        self.schema = schema
        commitNotifier = CommitNotifier()
        clock = options.clock
        role = options.role
        self.actor = actor

        // The master key is checked before anything is written, so a wrong key changes nothing.
        let stored = try environment.read { txn -> (check: [UInt8]?, isNew: Bool) in
            (try schema.masterKeyCheck(txn), try schema.metaBytes(txn, Schema.MetaKey.format) == nil)
        }
        if let check = stored.check, let key = options.masterKey {
            guard sodiumEqual(check, key.checkValue) else {
                throw PrivacyError.wrongMasterKey(given: key.fingerprint, expected: Hex.string(check.prefix(8)))
            }
        }
        let encrypted = stored.check != nil || (stored.isNew && options.encryptsPersonalData)
        isEncrypted = encrypted
        masterKey = encrypted ? options.masterKey : nil
        // Without its master key an encrypted ledger can only be read.
        let writable = !options.readOnly && (!encrypted || options.masterKey != nil)
        isReadOnly = !writable

        if writable {
            let rebuild = try environment.write { txn in
                try schema.initialize(
                    txn, program: options.program ?? LoyaltyProgram(currency: .cny),
                    masterKey: options.encryptsPersonalData ? options.masterKey : nil)
                return try schema.metaBytes(txn, Schema.MetaKey.rebuildProjections) == [1]
            }
            // An upgrade from an older format rebuilds the projections in their current encoding.
            // The flag is cleared only after the replay commits, so an interrupted upgrade resumes
            // on the next open.
            if rebuild {
                try replay()
                try environment.write { txn in try schema.putMeta(txn, Schema.MetaKey.rebuildProjections, [0]) }
            }
        } else {
            try environment.read { txn in try schema.checkFormat(txn) }
        }
    }

    /// Creates a ledger on the same storage as `other`, for ``withRole(_:)``.
    init(sharing other: Ledger, role: AccessRole) {
        environment = other.environment
        schema = other.schema
        isReadOnly = other.isReadOnly
        isEncrypted = other.isEncrypted
        self.role = role
        actor = other.actor
        masterKey = other.masterKey
        clock = other.clock
        commitNotifier = other.commitNotifier
    }

    /// The outcome of appending one event.
    public struct AppendOutcome: Equatable, Sendable {
        public var position: UInt64
        public var version: UInt32
        /// False when the event id was already in the log with the same content, so nothing was written.
        public var wasAppended: Bool
    }

    /// Appends `event` in its own durable transaction.
    ///
    /// - parameter expectedVersion: the customer's current version as the caller last saw it, or 0
    ///   for a customer with no events. A mismatch throws ``LedgerError/versionConflict(customer:expected:actual:)``.
    @available(*, noasync)
    @discardableResult
    public func append(_ event: NewEvent, expectedVersion: UInt32? = nil) throws -> AppendOutcome {
        let expected = expectedVersion.map { [event.customerID: $0] } ?? [:]
        return try append([event], expectedVersions: expected)[0]
    }

    /// Appends `events` atomically in one durable write transaction: all of them or none.
    ///
    /// Each event gets the next log position and the next version of its customer. The stream
    /// index, the event-id index and the projections change in the same transaction.
    /// An event whose id is already in the log with identical content is not written again and
    /// its outcome carries the existing position.
    ///
    /// - parameter expectedVersions: per customer, the version the caller expects the stream to be
    ///   at before this batch. Customers without an entry are not checked.
    /// - throws: ``LedgerError`` for a conflict, a reused event id or a broken business rule, and
    ///   ``LMDBError`` for storage failures. In every case nothing is written.
    /// - parameter progress: called every 1,000 events and after the last, with the events
    ///   handled so far and the batch's length, while the transaction is still open. It must not
    ///   call back into the ledger: another append would wait for this one forever.
    /// - Complexity: O(n log N) for n events in a log of N.
    @available(*, noasync)
    @discardableResult
    public func append(
        _ events: [NewEvent], expectedVersions: [CustomerID: UInt32] = [:], progress: ((Int, Int) -> Void)? = nil
    ) throws -> [AppendOutcome] {
        try checkAppendAllowed()
        if events.isEmpty { return [] }
        try checkErasuresAllowed(in: events.lazy.map(\.payload))
        let committed = try environment.write { txn in
            try appendBatch(events, in: txn, expectedVersions: expectedVersions, progress: progress)
        }
        commitNotifier.notify()
        return committed
    }

    /// Runs `events` through every check of ``append(_:expectedVersions:progress:)`` in a write
    /// transaction that is then aborted, so nothing is written whether they pass or not.
    ///
    /// Another writer may change the ledger between this check and a later append of the events.
    /// - throws: what `append` would throw for `events`.
    @available(*, noasync)
    func checkAppend(_ events: [NewEvent]) throws {
        struct ChecksPassed: Error {}
        try checkAppendAllowed()
        if events.isEmpty { return }
        try checkErasuresAllowed(in: events.lazy.map(\.payload))
        do {
            try environment.write { txn in
                _ = try appendBatch(events, in: txn, expectedVersions: [:], progress: nil)
                throw ChecksPassed()
            }
        } catch is ChecksPassed {
            return
        }
    }

    private func appendBatch(
        _ events: [NewEvent], in txn: Transaction, expectedVersions: [CustomerID: UInt32], progress: ((Int, Int) -> Void)?
    ) throws -> [AppendOutcome] {
        var appender = try BatchAppender(schema: schema, transaction: txn, clock: clock, keys: keyRing(txn), actor: actor)
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            outcomes.append(try appender.append(event, index: index, batch: events, outcomes: outcomes,
                                                expectedVersions: expectedVersions))
            if let progress, (index + 1) % 1000 == 0 || index + 1 == events.count {
                progress(index + 1, events.count)
            }
        }
        try appender.finish()
        return outcomes
    }

    /// Throws unless this ledger may append: opened writable, with its master key when it is
    /// encrypted, by a role that may append.
    func checkAppendAllowed() throws {
        try checkWritable("appending events")
    }

    /// Throws unless the role may append every payload: erasures need the admin role.
    func checkErasuresAllowed(in payloads: some Sequence<EventPayload>, operation: String = "erasing customers") throws {
        guard role != .admin, payloads.contains(where: { $0.type == .customerErased }) else { return }
        throw PrivacyError.roleNotAllowed(role: role, operation: operation)
    }

    /// Throws unless this ledger was opened writable, with its master key when it is encrypted,
    /// by a role that may change it.
    func checkWritable(_ operation: String) throws {
        guard !isReadOnly else {
            if isEncrypted && masterKey == nil { throw PrivacyError.masterKeyRequired(operation) }
            throw LedgerError.readOnly
        }
        guard role.mayAppend else { throw PrivacyError.roleNotAllowed(role: role, operation: operation) }
    }

    /// Returns the data keys for a transaction, or nil when the ledger is not encrypted or was opened
    /// without its master key.
    func keyRing(_ txn: Transaction) -> KeyRing? {
        guard isEncrypted, let masterKey else { return nil }
        return KeyRing(store: DataKeyStore(table: schema.dataKeys, masterKey: masterKey), transaction: txn)
    }

    /// Returns the reader of personal data for a transaction, for this ledger's role and key.
    func personalReader(_ txn: Transaction) -> PersonalDataReader {
        PersonalDataReader(role: role, keys: keyRing(txn))
    }

    /// Reads the newest loyalty program: the last recorded version, or the one the ledger was
    /// created with. ``program(asOf:)`` returns the one in force at an instant.
    @available(*, noasync)
    public func program() throws -> LoyaltyProgram {
        try environment.read { txn in try schema.timeline(txn).latest }
    }
}

/// Compares two byte arrays in time that does not depend on where they differ.
func sodiumEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
    guard left.count == right.count else { return false }
    var difference: UInt8 = 0
    for index in left.indices { difference |= left[index] ^ right[index] }
    return difference == 0
}
