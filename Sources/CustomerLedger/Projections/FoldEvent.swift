/// The parts of an event that projections fold: what appends and replay both pass to
/// ``ProjectionWorkspace/apply(_:customerID:version:position:occurredAt:)``.
///
/// Replay reads it straight from stored bytes, without building the strings that projections
/// never look at, such as SKUs, channels and feedback text.
enum FoldEvent {
    /// A registration, with the profile already in ``CustomerState``'s stored form.
    case registered(profileBytes: [UInt8], referrer: CustomerID?)
    case profileUpdated(ProfileChanges)
    /// A purchase, with line items only when some program earns by SKU or category.
    case purchase(orderID: String, amount: Money, lineItems: [FoldLineItem])
    case refund(orderID: String, amount: Money)
    case redeemed(points: Int64)
    case adjusted(points: Int64)
    case feedback(rating: Int, isComplaint: Bool)
    /// A loyalty program version, from a ``EventType/programDefined`` or ``EventType/programChanged`` event.
    case programVersion(ProgramVersion)
    case tierAssigned(TierAssigned)
    case pointsExpired(points: Int64, lot: UInt32)
    case rewardGranted(points: Int64, key: String)
    /// An event that projections skip, apart from its version and position.
    case skipped

    init(_ payload: EventPayload) {
        switch payload {
        case .customerRegistered(let registered):
            self = .registered(profileBytes: CustomerState.encode(registered.profile), referrer: registered.referrer)
        case .profileUpdated(let updated):
            self = .profileUpdated(updated.changes)
        case .purchaseRecorded(let purchase):
            self = .purchase(orderID: purchase.orderID, amount: purchase.amount, lineItems: purchase.lineItems.map(FoldLineItem.init))
        case .refundRecorded(let refund):
            self = .refund(orderID: refund.orderID, amount: refund.amount)
        case .pointsRedeemed(let redeemed):
            self = .redeemed(points: redeemed.points)
        case .pointsAdjusted(let adjusted):
            self = .adjusted(points: adjusted.points)
        case .feedbackRecorded(let feedback):
            self = .feedback(rating: feedback.rating, isComplaint: feedback.isComplaint)
        case .programDefined(let version), .programChanged(let version):
            self = .programVersion(version)
        case .tierAssigned(let assigned):
            self = .tierAssigned(assigned)
        case .pointsExpired(let expired):
            self = .pointsExpired(points: expired.points, lot: expired.lot)
        case .rewardGranted(let reward):
            self = .rewardGranted(points: reward.points, key: reward.key)
        case .unrecognized:
            self = .skipped
        }
    }

    /// Reads the fold input from a stored record's two payload parts, checking only the fields
    /// it reads and the lengths of those it skips. An older schema version is upgraded by
    /// ``EventUpcasters`` first, so the fast paths below read current versions only.
    /// - parameter lineItems: true to read the line items of purchases, which only SKU and
    ///   category multipliers need.
    static func decode(_ reader: inout ByteReader, typeCode: UInt16, schemaVersion: UInt8, lineItems: Bool = false)
        throws(DecodingError) -> FoldEvent
    {
        let publicBytes = try reader.slice(try reader.readLength())
        let personalBytes = try reader.slice(try reader.readLength())
        guard let type = EventType(rawValue: typeCode), type.reads(schemaVersion: schemaVersion) else { return .skipped }

        return try EventUpcasters.withCurrentVersion(
            of: type, schemaVersion: schemaVersion, publicBytes: publicBytes, personalBytes: personalBytes
        ) { (currentPublic, currentPersonal) throws(DecodingError) -> FoldEvent in
            var input = ByteReader(currentPublic)
            var personal = ByteReader(currentPersonal)
            return try decodeCurrent(type, public: &input, personal: &personal, lineItems: lineItems)
        }
    }

    /// Reads the fold input from the payload parts of the current schema version of `type`.
    private static func decodeCurrent(
        _ type: EventType, public input: inout ByteReader, personal: inout ByteReader, lineItems: Bool
    ) throws(DecodingError) -> FoldEvent {
        switch type {
        case .customerRegistered:
            // Reorders the stored strings into the profile's form without decoding them.
            let province = try input.slice(try input.readLength())
            let city = try input.slice(try input.readLength())
            let referrer = CustomerID(try input.readVarint())
            var profile = ByteWriter(capacity: input.buffer.count + personal.buffer.count + 4)
            for _ in 0..<3 { profile.write(lengthPrefixed: try personal.slice(try personal.readLength())) }
            let birthday = try personal.readVarint()
            profile.write(varint: birthday)
            profile.write(lengthPrefixed: province)
            profile.write(lengthPrefixed: city)
            profile.write(lengthPrefixed: try personal.slice(try personal.readLength()))
            return .registered(profileBytes: profile.bytes, referrer: referrer)

        case .purchaseRecorded where lineItems:
            guard
                case .purchaseRecorded(let purchase) = try PayloadCodec.decode(type, public: &input, personal: &personal)
            else { return .skipped }
            return FoldEvent(.purchaseRecorded(purchase))

        case .purchaseRecorded:
            let orderID = try input.readString()
            return .purchase(orderID: orderID, amount: try PayloadCodec.readMoney(&input), lineItems: [])

        case .profileUpdated, .programDefined, .programChanged, .tierAssigned, .pointsExpired, .rewardGranted:
            return FoldEvent(try PayloadCodec.decode(type, public: &input, personal: &personal))

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

extension FoldLineItem {
    init(_ item: LineItem) {
        let (amount, overflow) = item.quantity.multipliedReportingOverflow(by: item.unitPrice)
        self.init(sku: item.sku, category: item.category, amount: overflow ? Int64.max : amount)
    }
}
