/// An append-only byte buffer for the ledger's binary encodings.
///
/// Integers of unknown size are LEB128 varints (signed ones zigzag-encoded first), fixed-size
/// integers are big-endian, and strings are a varint byte count followed by UTF-8 bytes.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        bytes.append(byte)
    }

    @inline(__always)
    mutating func write(varint value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    @inline(__always)
    mutating func write(signed value: Int64) {
        write(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func write(bigEndian value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(bigEndian value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ string: String) {
        var copy = string
        copy.withUTF8 { utf8 in
            write(varint: UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func write(raw: some Collection<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Writes a varint length followed by the bytes.
    mutating func write(lengthPrefixed raw: [UInt8]) {
        write(varint: UInt64(raw.count))
        bytes.append(contentsOf: raw)
    }
}

/// A reader over bytes written by ``ByteWriter``. Every read checks bounds and throws on malformed input.
///
/// It must not outlive the buffer it reads.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var offset: Int

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= buffer.count }
    var remaining: Int { buffer.count - offset }

    @inline(__always)
    mutating func readByte() throws(DecodingError) -> UInt8 {
        guard offset < buffer.count else { throw DecodingError.truncated(at: offset) }
        let byte = buffer[offset]
        offset += 1
        return byte
    }

    @inline(__always)
    mutating func readVarint() throws(DecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw DecodingError.truncated(at: offset) }
            let byte = buffer[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw DecodingError.malformed("varint overflows 64 bits", at: offset - 1) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw DecodingError.malformed("varint longer than 10 bytes", at: offset - 1) }
        }
    }

    @inline(__always)
    mutating func readSigned() throws(DecodingError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func readBigEndian64() throws(DecodingError) -> UInt64 {
        guard remaining >= 8 else { throw DecodingError.truncated(at: offset) }
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(buffer[offset + index]) }
        offset += 8
        return value
    }

    mutating func readBigEndian32() throws(DecodingError) -> UInt32 {
        guard remaining >= 4 else { throw DecodingError.truncated(at: offset) }
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(buffer[offset + index]) }
        offset += 4
        return value
    }

    mutating func readLength() throws(DecodingError) -> Int {
        let length = try readVarint()
        guard length <= UInt64(remaining) else { throw DecodingError.truncated(at: offset) }
        return Int(length)
    }

    mutating func readString() throws(DecodingError) -> String {
        let length = try readLength()
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length])
        offset += length
        // ASCII needs no validation, and `String(decoding:as:)` takes a fast path for it.
        var isASCII = true
        for byte in slice where byte >= 0x80 {
            isASCII = false
            break
        }
        if isASCII { return String(decoding: slice, as: UTF8.self) }
        guard let string = String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw DecodingError.malformed("string is not valid UTF-8", at: offset - length)
        }
        return string
    }

    mutating func skipString() throws(DecodingError) {
        offset += try readLength()
    }

    mutating func readBytes(_ count: Int) throws(DecodingError) -> [UInt8] {
        guard count <= remaining else { throw DecodingError.truncated(at: offset) }
        let bytes = Array(buffer[offset..<offset + count])
        offset += count
        return bytes
    }

    mutating func readLengthPrefixed() throws(DecodingError) -> [UInt8] {
        try readBytes(readLength())
    }

    /// Returns the next `count` bytes without copying them.
    mutating func slice(_ count: Int) throws(DecodingError) -> UnsafeRawBufferPointer {
        guard count <= remaining else { throw DecodingError.truncated(at: offset) }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
        offset += count
        return slice
    }
}

/// An error decoding stored bytes, which are shorter than their encoding requires or inconsistent.
public enum DecodingError: Error, Equatable, CustomStringConvertible, Sendable {
    case truncated(at: Int)
    case malformed(String, at: Int)

    public var description: String {
        switch self {
        case .truncated(let offset): "stored bytes end early at offset \(offset)"
        case .malformed(let reason, let offset): "stored bytes are malformed at offset \(offset): \(reason)"
        }
    }
}
