extension CustomerState {
    static let encodingFormat: UInt8 = 1

    /// Writes the state in the projection table's binary form. Equal states give equal bytes.
    func encode(into writer: inout ByteWriter) {
        writer.write(Self.encodingFormat)
        writer.write(varint: customerID.rawValue)
        writer.write(varint: UInt64(version))
        writer.write(varint: lastPosition)
        writer.write(signed: registeredAt.microseconds)
        writer.write(lengthPrefixed: profileBytes)
        writer.write(varint: referrer?.rawValue ?? 0)
        writeOptional(firstPurchaseAt, into: &writer)
        writeOptional(lastPurchaseAt, into: &writer)

        writer.write(signed: purchaseCount)
        writer.write(signed: refundCount)
        writer.write(varint: UInt64(spend.count))
        for entry in spend {
            writer.write(varint: UInt64(entry.currency.packed))
            writer.write(signed: entry.gross)
            writer.write(signed: entry.refunded)
        }

        writer.write(signed: feedbackCount)
        writer.write(signed: ratingTotal)
        writer.write(signed: complaintCount)
        writer.write(signed: points.earned)
        writer.write(signed: points.redeemed)
        writer.write(signed: points.adjusted)
        writer.write(signed: points.reversed)

        writer.write(signed: latestSpendAt.microseconds)
        writer.write(varint: UInt64(window.count))
        var previous = latestSpendAt.microseconds
        for entry in window.reversed() {
            // Newest first as deltas back in time, which are small and never negative.
            writer.write(varint: UInt64(previous - entry.occurredAt.microseconds))
            writer.write(signed: entry.amount)
            writer.write(entry.isPurchase ? 1 : 0)
            previous = entry.occurredAt.microseconds
        }

        writer.write(varint: UInt64(orderFingerprints.count))
        for fingerprint in orderFingerprints { writer.write(bigEndian: fingerprint) }
    }

    /// Reads only the last position, the head of the customer's chain of events.
    static func lastPosition(in buffer: UnsafeRawBufferPointer) throws(DecodingError) -> UInt64 {
        var reader = ByteReader(buffer)
        let format = try reader.readByte()
        guard format == encodingFormat else { throw .malformed("unknown customer state format \(format)", at: 0) }
        _ = try reader.readVarint()
        _ = try reader.readVarint()
        return try reader.readVarint()
    }

    /// Decodes a state that ``encode(into:)`` wrote, checking bounds and the profile's layout.
    static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) -> CustomerState {
        var reader = ByteReader(buffer)
        let format = try reader.readByte()
        guard format == encodingFormat else { throw .malformed("unknown customer state format \(format)", at: 0) }

        let id = CustomerID(unchecked: try reader.readVarint())
        let version = UInt32(truncatingIfNeeded: try reader.readVarint())
        let lastPosition = try reader.readVarint()
        let registeredAt = Timestamp(microseconds: try reader.readSigned())
        let profileLength = try reader.readLength()
        let profileBytes = try reader.slice(profileLength)
        try checkProfile(profileBytes)
        let referrer = CustomerID(try reader.readVarint())
        var state = CustomerState(
            customerID: id, registeredAt: registeredAt, profileBytes: Array(profileBytes), referrer: referrer)
        state.version = version
        state.lastPosition = lastPosition
        state.firstPurchaseAt = try readOptional(&reader)
        state.lastPurchaseAt = try readOptional(&reader)

        state.purchaseCount = try reader.readSigned()
        state.refundCount = try reader.readSigned()
        let currencies = try reader.readVarint()
        guard currencies <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        for _ in 0..<currencies {
            let packed = try reader.readVarint()
            guard packed <= UInt64(UInt32.max), let currency = Currency(packed: UInt32(packed)) else {
                throw .malformed("invalid currency in customer state", at: reader.offset)
            }
            state.spend.append(CurrencySpend(currency: currency, gross: try reader.readSigned(), refunded: try reader.readSigned()))
        }

        state.feedbackCount = try reader.readSigned()
        state.ratingTotal = try reader.readSigned()
        state.complaintCount = try reader.readSigned()
        state.points = PointsBalance(
            earned: try reader.readSigned(), redeemed: try reader.readSigned(), adjusted: try reader.readSigned(),
            reversed: try reader.readSigned())

        state.latestSpendAt = Timestamp(microseconds: try reader.readSigned())
        let entries = try reader.readVarint()
        guard entries <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        state.window.reserveCapacity(Int(entries))
        var previous = state.latestSpendAt.microseconds
        for _ in 0..<entries {
            previous -= Int64(bitPattern: try reader.readVarint())
            let amount = try reader.readSigned()
            let isPurchase = try reader.readByte() == 1
            state.window.append(SpendEntry(occurredAt: Timestamp(microseconds: previous), amount: amount, isPurchase: isPurchase))
        }
        state.window.reverse()

        let fingerprints = try reader.readVarint()
        guard fingerprints <= UInt64(reader.remaining / 4) else { throw .truncated(at: reader.offset) }
        state.orderFingerprints.reserveCapacity(Int(fingerprints))
        for _ in 0..<fingerprints { state.orderFingerprints.append(try reader.readBigEndian32()) }

        guard reader.isAtEnd else { throw .malformed("trailing bytes in customer state", at: reader.offset) }
        return state
    }

    /// Encodes a profile: name, phone, email, birthday, province, city and address.
    static func encode(_ profile: CustomerProfile) -> [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(profile.name)
        writer.write(profile.phone)
        writer.write(profile.email)
        writer.write(varint: UInt64(profile.birthday?.packed ?? 0))
        writer.write(profile.province)
        writer.write(profile.city)
        writer.write(profile.address)
        return writer.bytes
    }

    /// Decodes bytes that ``checkProfile(_:)`` accepted. Invalid UTF-8 is replaced, never trapped on.
    static func decodeProfile(_ bytes: [UInt8]) -> CustomerProfile {
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            func text() -> String {
                guard let length = try? reader.readLength(), let slice = try? reader.slice(length) else { return "" }
                return String(decoding: slice, as: UTF8.self)
            }
            let name = text()
            let phone = text()
            let email = text()
            let birthday = (try? PayloadCodec.readDate(&reader)) ?? nil
            let province = text()
            let city = text()
            let address = text()
            return CustomerProfile(
                name: name, phone: phone, email: email, birthday: birthday, province: province, city: city,
                address: address)
        }
    }

    /// Checks the layout of encoded profile bytes without building strings.
    static func checkProfile(_ bytes: UnsafeRawBufferPointer) throws(DecodingError) {
        var reader = ByteReader(bytes)
        for _ in 0..<3 { try reader.skipString() }
        _ = try PayloadCodec.readDate(&reader)
        for _ in 0..<3 { try reader.skipString() }
        guard reader.isAtEnd else { throw .malformed("trailing bytes in a stored profile", at: reader.offset) }
    }

    private func writeOptional(_ instant: Timestamp?, into writer: inout ByteWriter) {
        if let instant {
            writer.write(1)
            writer.write(signed: instant.microseconds)
        } else {
            writer.write(0)
        }
    }

    private static func readOptional(_ reader: inout ByteReader) throws(DecodingError) -> Timestamp? {
        try reader.readByte() == 0 ? nil : Timestamp(microseconds: try reader.readSigned())
    }
}
