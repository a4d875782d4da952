import Foundation

/// The per-customer data keys of an encrypted ledger, in the `data-keys` table.
///
/// Each customer gets a random 32-byte key at registration. The table maps the customer id
/// (8 bytes, big-endian) to the key wrapped by the master key: a format byte (1), then the
/// XChaCha20-Poly1305 nonce, ciphertext and tag. The associated data is the text
/// `customer-ledger data key` and the customer id, so a wrapped key moved to another customer fails to open.
/// Erasure deletes the entry, after which the customer's personal data cannot be decrypted.
struct DataKeyStore {
    static let format: UInt8 = 1
    static let keyByteCount = 32
    static let wrappedByteCount = 1 + keyByteCount + Sodium.overhead

    let table: Database
    let masterKey: MasterKey

    static func associatedData(of customer: CustomerID) -> [UInt8] {
        var bytes = Array("customer-ledger data key".utf8)
        withUnsafeBytes(of: customer.rawValue.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Creates, wraps and stores a new key for `customer`, and returns it.
    func create(_ txn: Transaction, for customer: CustomerID) throws -> [UInt8] {
        let key = Sodium.randomBytes(Self.keyByteCount)
        var wrapped: [UInt8] = [Self.format]
        wrapped.reserveCapacity(Self.wrappedByteCount)
        key.withUnsafeBytes { plaintext in
            masterKey.bytes.withUnsafeBytes { master in
                Sodium.seal(plaintext, key: master, associated: Self.associatedData(of: customer), into: &wrapped)
            }
        }
        try put(txn, wrapped: wrapped, for: customer)
        return key
    }

    /// Stores a wrapped key as it is, after checking that it opens under the master key.
    func put(_ txn: Transaction, wrapped: [UInt8], for customer: CustomerID) throws {
        _ = try unwrap(wrapped.withUnsafeBytes { $0 }, customer: customer)
        try Keys.withCustomer(customer) { key in
            try wrapped.withUnsafeBytes { try txn.put(table, key, $0, noOverwrite: true) }
        }
    }

    /// Returns the stored wrapped key of `customer`, or nil when there is none.
    func wrapped(_ txn: Transaction, for customer: CustomerID) throws -> [UInt8]? {
        try Keys.withCustomer(customer) { key in try txn.get(table, key).map { Array($0) } }
    }

    /// Returns the key of `customer`, or nil when none is stored (the customer was erased).
    func key(_ txn: Transaction, for customer: CustomerID) throws -> [UInt8]? {
        try Keys.withCustomer(customer) { key in
            guard let stored = try txn.get(table, key) else { return nil }
            return try unwrap(stored, customer: customer)
        }
    }

    /// Deletes the key of `customer`. Returns false when there was none.
    @discardableResult
    func destroy(_ txn: Transaction, for customer: CustomerID) throws -> Bool {
        try Keys.withCustomer(customer) { key in try txn.delete(table, key) }
    }

    private func unwrap(_ stored: UnsafeRawBufferPointer, customer: CustomerID) throws -> [UInt8] {
        guard stored.count == Self.wrappedByteCount, stored[0] == Self.format,
            let key = masterKey.bytes.withUnsafeBytes({ master in
                Sodium.open(
                    UnsafeRawBufferPointer(rebasing: stored[1...]), key: master,
                    associated: Self.associatedData(of: customer))
            })
        else {
            throw PrivacyError.tamperedCiphertext("the stored data key of customer \(customer)")
        }
        return key
    }
}

/// The unwrapped data keys that one transaction has used, so that each is unwrapped once.
final class KeyRing {
    let store: DataKeyStore
    let transaction: Transaction
    private var keys: [CustomerID: [UInt8]] = [:]
    private var missing: Set<CustomerID> = []

    init(store: DataKeyStore, transaction: Transaction) {
        self.store = store
        self.transaction = transaction
    }

    /// Returns the customer's key, or nil when it was destroyed.
    func key(for customer: CustomerID) throws -> [UInt8]? {
        if let key = keys[customer] { return key }
        if missing.contains(customer) { return nil }
        guard let key = try store.key(transaction, for: customer) else {
            missing.insert(customer)
            return nil
        }
        keys[customer] = key
        return key
    }

    /// Creates the key of a customer being registered.
    func create(for customer: CustomerID) throws -> [UInt8] {
        let key = try store.create(transaction, for: customer)
        keys[customer] = key
        missing.remove(customer)
        return key
    }

    /// Destroys the key of a customer being erased.
    func destroy(for customer: CustomerID) throws {
        try store.destroy(transaction, for: customer)
        if var key = keys.removeValue(forKey: customer) { Sodium.wipe(&key) }
        missing.insert(customer)
    }

    deinit {
        for customer in Array(keys.keys) { Sodium.wipe(&keys[customer]!) }
    }
}
