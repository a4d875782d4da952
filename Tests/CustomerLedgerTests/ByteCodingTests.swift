import Foundation
import Testing

@testable import CustomerLedger

/// Runs `body` with a reader over `bytes`.
private func read<Result>(
    _ bytes: [UInt8], _ body: (inout ByteReader) throws -> Result
) throws -> Result {
    try bytes.withUnsafeBytes { buffer in
        var reader = ByteReader(buffer)
        return try body(&reader)
    }
}

@Suite struct ByteCodingTests {
    @Test func varintBoundaries() throws {
        let cases: [(value: UInt64, bytes: [UInt8])] = [
            (0, [0x00]),
            (1, [0x01]),
            (127, [0x7F]),
            (128, [0x80, 0x01]),
            (300, [0xAC, 0x02]),
            (16_383, [0xFF, 0x7F]),
            (16_384, [0x80, 0x80, 0x01]),
            (UInt64(UInt32.max), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
            (UInt64(Int64.max), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
            (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for sample in cases {
            var writer = ByteWriter()
            writer.write(varint: sample.value)

            #expect(writer.bytes == sample.bytes, "value \(sample.value)")
            let decoded = try read(writer.bytes) { reader in
                (try reader.readVarint(), reader.isAtEnd)
            }
            #expect(decoded.0 == sample.value)
            #expect(decoded.1, "value \(sample.value) leaves bytes unread")
        }
    }

    @Test func signedZigzagBoundaries() throws {
        let cases: [(value: Int64, bytes: [UInt8])] = [
            (0, [0x00]),
            (-1, [0x01]),
            (1, [0x02]),
            (-64, [0x7F]),
            (64, [0x80, 0x01]),
            (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for sample in cases {
            var writer = ByteWriter()
            writer.write(signed: sample.value)

            #expect(writer.bytes == sample.bytes, "value \(sample.value)")
            #expect(try read(writer.bytes) { reader in try reader.readSigned() } == sample.value)
        }
    }

    @Test func malformedVarintsRejected() {
        #expect(throws: CustomerLedger.DecodingError.truncated(at: 0)) {
            try read([]) { reader in try reader.readVarint() }
        }
        #expect(throws: CustomerLedger.DecodingError.truncated(at: 2)) {
            try read([0x80, 0x80]) { reader in try reader.readVarint() }
        }
        // A tenth byte above 1 sets bits beyond 64.
        #expect(throws: CustomerLedger.DecodingError.malformed("varint overflows 64 bits", at: 9)) {
            try read(Array(repeating: 0xFF, count: 9) + [0x02]) { reader in
                try reader.readVarint()
            }
        }
        #expect(throws: CustomerLedger.DecodingError.malformed("varint overflows 64 bits", at: 9)) {
            try read(Array(repeating: 0x80, count: 9) + [0x80, 0x00]) { reader in
                try reader.readVarint()
            }
        }
    }

    @Test func stringsRoundTrip() throws {
        for text in ["", "a", "张伟", "🏢 南山区", String(repeating: "x", count: 200)] {
            var writer = ByteWriter()
            writer.write(text)

            #expect(writer.bytes.count == text.utf8.count + (text.utf8.count < 128 ? 1 : 2))
            #expect(try read(writer.bytes) { reader in try reader.readString() } == text)
        }
    }

    @Test func invalidStringsRejected() {
        #expect(throws: CustomerLedger.DecodingError.malformed("string is not valid UTF-8", at: 1)) {
            try read([0x02, 0xC3, 0x28]) { reader in try reader.readString() }
        }
        #expect(throws: CustomerLedger.DecodingError.truncated(at: 1)) {
            try read([0x05, 0x61, 0x62]) { reader in try reader.readString() }
        }
        #expect(throws: CustomerLedger.DecodingError.truncated(at: 10)) {
            try read([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) { reader in
                try reader.readString()
            }
        }
    }

    @Test func bigEndianIntegersRoundTrip() throws {
        var writer = ByteWriter()
        writer.write(bigEndian: UInt64(0x0102_0304_0506_0708))
        writer.write(bigEndian: UInt32(0xA0B0_C0D0))

        #expect(writer.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 0xA0, 0xB0, 0xC0, 0xD0])
        let decoded = try read(writer.bytes) { reader in
            (try reader.readBigEndian64(), try reader.readBigEndian32())
        }
        #expect(decoded.0 == 0x0102_0304_0506_0708)
        #expect(decoded.1 == 0xA0B0_C0D0)
        #expect(throws: CustomerLedger.DecodingError.truncated(at: 0)) {
            try read([1, 2, 3]) { reader in try reader.readBigEndian32() }
        }
    }

    @Test func lengthPrefixedBytesRoundTrip() throws {
        var writer = ByteWriter()
        writer.write(lengthPrefixed: [])
        writer.write(lengthPrefixed: [0, 0xFF])

        #expect(writer.bytes == [0, 2, 0, 0xFF])
        let decoded = try read(writer.bytes) { reader in
            (try reader.readLengthPrefixed(), try reader.readLengthPrefixed())
        }
        #expect(decoded.0 == [])
        #expect(decoded.1 == [0, 0xFF])
    }
}
