/// The byte layouts of the ledger's LMDB keys. Integers are big-endian, so that LMDB's default
/// byte-wise comparison sorts them numerically and `MDB_APPEND` works.
enum Keys {
    /// Passes `value` to `body` as an 8-byte big-endian key, the layout of positions in `events`
    /// and of customer ids in `customers`.
    @inline(__always)
    static func withUInt64<Result>(_ value: UInt64, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: value.bigEndian, body)
    }

    static func withCustomer<Result>(_ id: CustomerID, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUInt64(id.rawValue, body)
    }

    static func readUInt64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes.prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }

    static func readUInt32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var value: UInt32 = 0
        for byte in bytes.prefix(4) { value = value << 8 | UInt32(byte) }
        return value
    }
}
