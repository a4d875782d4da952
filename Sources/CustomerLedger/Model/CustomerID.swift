/// The identifier of a customer: a positive integer, shown in decimal.
public struct CustomerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    /// Creates an identifier, or returns nil for 0, which is reserved.
    public init?(_ rawValue: UInt64) {
        guard rawValue > 0 else { return nil }
        self.rawValue = rawValue
    }

    init(unchecked rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Parses decimal digits, zero-padded or not, such as `42` or `00042`. Returns nil for
    /// anything else, for 0, and for values beyond `UInt64`.
    public init?(parsing text: some StringProtocol) {
        var value: UInt64 = 0
        guard !text.utf8.isEmpty else { return nil }
        for byte in text.utf8 {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = multiplied.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = added
        }
        guard value > 0 else { return nil }
        rawValue = value
    }

    public static func < (lhs: CustomerID, rhs: CustomerID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
