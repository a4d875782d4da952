import Foundation

/// Generators of event ids that sort by creation time, so that the event-id index grows at its end.
///
/// Random (version 4) ids land on random pages of the index, so every batch rewrites pages all
/// over it. Time-ordered ids touch the last pages only.
public enum EventID {
    /// Returns a UUID version 7 (RFC 9562): 48 bits of Unix milliseconds from the wall clock,
    /// then 74 random bits.
    public static func timeOrdered() -> UUID {
        var random = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, Ledger.systemClock().microseconds / 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        let tail = random.next() as UInt64
        let more = random.next() as UInt64
        for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: tail >> (8 * UInt64(index))) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: more) & 0x0F
        bytes[7] = UInt8(truncatingIfNeeded: more >> 8)
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(bytes: bytes)
    }

    /// Returns a version-8 UUID (RFC 9562, custom) derived from `name`, starting with the 48 low
    /// bits of `prefix`, so that ids made in `prefix` order sort in that order too.
    ///
    /// Importers use it so that importing the same data again gives the same ids.
    public static func stable(_ name: String, prefix: UInt64) -> UUID {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in name.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01B3
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: prefix >> (40 - 8 * UInt64(index))) }
        bytes[6] = 0x80 | UInt8(truncatingIfNeeded: first) & 0x0F
        bytes[7] = UInt8(truncatingIfNeeded: first >> 8)
        for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: second >> (56 - 8 * UInt64(index))) }
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(bytes: bytes)
    }
}

extension UUID {
    /// Creates a UUID from its 16 bytes in network order.
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 16, "a UUID has 16 bytes, got \(bytes.count)")
        self.init(uuid: bytes.loadUnaligned(as: uuid_t.self))
    }

    /// Creates a UUID from its 16 bytes in network order.
    init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { UUID(bytes: $0) }
    }
}
