import CustomerLedger

/// The W1M projection digest, computed from the ledger's own customer states and tiers.
///
/// FNV-1a 64 over, for customer ids 1…N ascending: `u32 id | str32 name | str32 phone |
/// str32 email | u32 birthday (yyyymmdd, 0 for none) | str32 province | str32 city |
/// i64 lifetime spend | u32 purchase count | i64 points balance | u8 tier index`, where `str32` is
/// a `u32` byte count and the UTF-8 bytes, and every integer is little-endian. This is the digest
/// the W1M generator writes to `FILE.expected`.
struct ProjectionDigest {
    /// The reference implementation starts from 1469598103934665603, not from the standard FNV-1a
    /// offset basis 14695981039346656037 (it lacks the last digit). The expected digests depend on
    /// it, so this digest starts there too.
    static let offsetBasis: UInt64 = 1_469_598_103_934_665_603

    private(set) var value = offsetBasis
    /// Customers per tier index.
    private(set) var tierCounts: [Int]
    private(set) var customers = 0

    init(tierCount: Int) {
        tierCounts = Array(repeating: 0, count: tierCount)
    }

    /// Adds one customer; callers add customers in ascending id order.
    ///
    /// Lifetime spend is the net spend in `currency` and the tier is `tierIndex`, as evaluated
    /// by the ledger.
    mutating func add(_ state: CustomerState, currency: Currency, tierIndex: Int) {
        let profile = state.profile
        add(littleEndian: UInt32(truncatingIfNeeded: state.customerID.rawValue))
        add(string: profile.name)
        add(string: profile.phone)
        add(string: profile.email)
        add(littleEndian: UInt32(profile.birthday.map { $0.year * 10000 + $0.month * 100 + $0.day } ?? 0))
        add(string: profile.province)
        add(string: profile.city)
        add(littleEndian: UInt64(bitPattern: state.spend(in: currency).net))
        add(littleEndian: UInt32(truncatingIfNeeded: state.purchaseCount))
        add(littleEndian: UInt64(bitPattern: state.points.balance))
        add(byte: UInt8(truncatingIfNeeded: tierIndex))
        tierCounts[tierIndex] += 1
        customers += 1
    }

    private mutating func add(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    private mutating func add<Integer: FixedWidthInteger>(littleEndian integer: Integer) {
        withUnsafeBytes(of: integer.littleEndian) { for byte in $0 { add(byte: byte) } }
    }

    private mutating func add(string: String) {
        add(littleEndian: UInt32(string.utf8.count))
        for byte in string.utf8 { add(byte: byte) }
    }

    /// The digest as 16 lowercase hexadecimal digits, as the generator prints it.
    var hexadecimal: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
