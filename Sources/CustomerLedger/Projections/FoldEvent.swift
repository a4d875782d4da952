/// The parts of an event that projections fold: what appends and replay both pass to
/// ``ProjectionWorkspace/apply(_:customerID:version:position:occurredAt:)``.
///
/// Replay reads it straight from stored bytes, without building the strings that projections
/// never look at, such as SKUs, channels and feedback text.
enum FoldEvent {
    /// A registration, with the profile already in ``CustomerState``'s stored form.
    case registered(profileBytes: [UInt8], referrer: CustomerID?)
    case profileUpdated(ProfileChanges)
    case purchase(orderID: String, amount: Money)
    case refund(orderID: String, amount: Money)
    case redeemed(points: Int64)
    case adjusted(points: Int64)
    case feedback(rating: Int, isComplaint: Bool)
    /// An event that projections skip, apart from its version and position.
    case skipped

    init(_ payload: EventPayload) {
        switch payload {
        case .customerRegistered(let registered):
            self = .registered(profileBytes: CustomerState.encode(registered.profile), referrer: registered.referrer)
        case .profileUpdated(let updated):
            self = .profileUpdated(updated.changes)
        case .purchaseRecorded(let purchase):
            self = .purchase(orderID: purchase.orderID, amount: purchase.amount)
        case .refundRecorded(let refund):
            self = .refund(orderID: refund.orderID, amount: refund.amount)
        case .pointsRedeemed(let redeemed):
            self = .redeemed(points: redeemed.points)
        case .pointsAdjusted(let adjusted):
            self = .adjusted(points: adjusted.points)
        case .feedbackRecorded(let feedback):
            self = .feedback(rating: feedback.rating, isComplaint: feedback.isComplaint)
        case .unrecognized:
            self = .skipped
        }
    }

    /// Reads the fold input from a stored record's two payload parts, checking only the fields
    /// it reads and the lengths of those it skips.
    static func decode(_ reader: inout ByteReader, typeCode: UInt16, schemaVersion: UInt8) throws(DecodingError)
        -> FoldEvent
    {
        let publicLength = try reader.readLength()
        var input = ByteReader(try reader.slice(publicLength))
        let personalLength = try reader.readLength()
        var personal = ByteReader(try reader.slice(personalLength))
        guard let type = EventType(rawValue: typeCode), schemaVersion == type.currentSchemaVersion else { return .skipped }

        switch type {
        case .customerRegistered:
            // Reorders the stored strings into the profile's form without decoding them.
            let province = try input.slice(try input.readLength())
            let city = try input.slice(try input.readLength())
            let referrer = CustomerID(try input.readVarint())
            var profile = ByteWriter(capacity: publicLength + personalLength + 4)
            for _ in 0..<3 { profile.write(lengthPrefixed: try personal.slice(try personal.readLength())) }
            let birthday = try personal.readVarint()
            profile.write(varint: birthday)
            profile.write(lengthPrefixed: province)
            profile.write(lengthPrefixed: city)
            profile.write(lengthPrefixed: try personal.slice(try personal.readLength()))
            return .registered(profileBytes: profile.bytes, referrer: referrer)

        case .profileUpdated:
            guard case .profileUpdated(let updated) = try PayloadCodec.decode(type, public: &input, personal: &personal)
            else { return .skipped }
            return .profileUpdated(updated.changes)

        case .purchaseRecorded:
            let orderID = try input.readString()
            return .purchase(orderID: orderID, amount: try PayloadCodec.readMoney(&input))

        case .refundRecorded:
            let orderID = try input.readString()
            return .refund(orderID: orderID, amount: try PayloadCodec.readMoney(&input))

        case .pointsRedeemed:
            return .redeemed(points: try input.readSigned())

        case .pointsAdjusted:
            return .adjusted(points: try input.readSigned())

        case .feedbackRecorded:
            _ = try input.readByte()
            let rating = Int(try input.readByte())
            return .feedback(rating: rating, isComplaint: try input.readByte() != 0)
        }
    }
}

extension ByteWriter {
    /// Writes a varint length followed by the bytes of `raw`.
    mutating func write(lengthPrefixed raw: UnsafeRawBufferPointer) {
        write(varint: UInt64(raw.count))
        bytes.append(contentsOf: raw)
    }
}
