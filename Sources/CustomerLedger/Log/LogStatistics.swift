/// Counts kept beside the log so that statistics need no scan.
struct LogStatistics: Equatable {
    /// Events per stored type code.
    var countsByType: [UInt16: UInt64] = [:]
    var customers: UInt64 = 0
    var earliestOccurredAt: Timestamp?
    var latestOccurredAt: Timestamp?
    var latestRecordedAt: Timestamp?

    /// Counts one event; `isRegistration` is true only for a registration this version decodes.
    ///
    /// - parameter customerEvent: false for events of the ledger's own stream, whose occurred-at
    ///   is a program's effective instant, possibly in the future, and so not a time of the data.
    mutating func record(
        customerEvent: Bool = true, typeCode: UInt16, isRegistration: Bool, occurredAt: Timestamp, recordedAt: Timestamp
    ) {
        countsByType[typeCode, default: 0] += 1
        if isRegistration { customers += 1 }
        if latestRecordedAt.map({ recordedAt > $0 }) ?? true { latestRecordedAt = recordedAt }
        guard customerEvent else { return }
        if earliestOccurredAt.map({ occurredAt < $0 }) ?? true { earliestOccurredAt = occurredAt }
        if latestOccurredAt.map({ occurredAt > $0 }) ?? true { latestOccurredAt = occurredAt }
    }

    func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(1)
        writer.write(varint: UInt64(countsByType.count))
        for (type, count) in countsByType.sorted(by: { $0.key < $1.key }) {
            writer.write(varint: UInt64(type))
            writer.write(varint: count)
        }
        writer.write(varint: customers)
        for instant in [earliestOccurredAt, latestOccurredAt, latestRecordedAt] {
            if let instant {
                writer.write(1)
                writer.write(signed: instant.microseconds)
            } else {
                writer.write(0)
            }
        }
        return writer.bytes
    }

    static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) -> LogStatistics {
        var reader = ByteReader(buffer)
        guard try reader.readByte() == 1 else { throw .malformed("unknown statistics format", at: 0) }
        var statistics = LogStatistics()

        let types = try reader.readVarint()
        guard types <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        for _ in 0..<types {
            let type = try reader.readVarint()
            statistics.countsByType[UInt16(truncatingIfNeeded: type)] = try reader.readVarint()
        }
        statistics.customers = try reader.readVarint()

        var instants: [Timestamp?] = []
        for _ in 0..<3 {
            instants.append(try reader.readByte() == 0 ? nil : Timestamp(microseconds: try reader.readSigned()))
        }
        statistics.earliestOccurredAt = instants[0]
        statistics.latestOccurredAt = instants[1]
        statistics.latestRecordedAt = instants[2]
        return statistics
    }
}
