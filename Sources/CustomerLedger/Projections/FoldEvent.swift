/// The parts of an event that projections fold: what appends and replay both pass to
/// ``ProjectionWorkspace/apply(_:customerID:version:position:occurredAt:)``.
///
/// Replay reads it straight from stored bytes, without building the strings that projections
/// never look at, such as SKUs, channels and feedback text.
enum FoldEvent {
    /// A registration: its province and city, and its personal part as stored.
    case registered(province: String, city: String, referrer: CustomerID?, personal: PersonalRecord?)
    /// A profile update: its province and city changes, and its personal part as stored when it
    /// changes a personal field.
    case profileUpdated(province: String?, city: String?, personal: PersonalRecord?)
    case erased
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

    /// - parameter personal: the personal part of a registration or profile update as the
    ///   record stores it, or nil when there is none.
    init(_ payload: EventPayload, personal: PersonalRecord? = nil) {
        switch payload {
        case .customerRegistered(let registered):
            self = .registered(
                province: registered.profile.province, city: registered.profile.city, referrer: registered.referrer,
                personal: personal)
        case .profileUpdated(let updated):
            self = .profileUpdated(province: updated.changes.province, city: updated.changes.city, personal: personal)
        case .customerErased:
            self = .erased
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
    static func decode(_ reader: inout ByteReader, header: EventCodec.Header, lineItems: Bool = false)
        throws(DecodingError) -> FoldEvent
    {
        let typeCode = header.typeCode
        let schemaVersion = header.schemaVersion
        let publicBytes = try reader.slice(try reader.readLength())
        let personalBytes = try reader.slice(try reader.readLength())
        guard let type = EventType(rawValue: typeCode), type.reads(schemaVersion: schemaVersion) else { return .skipped }
        switch type {
        case .customerRegistered:
            var input = ByteReader(publicBytes)
            let province = try input.readString()
            let city = try input.readString()
            let referrer = CustomerID(try input.readVarint())
            guard input.isAtEnd else { throw .malformed("payload of \(type) has trailing bytes", at: input.offset) }
            return .registered(
                province: province, city: city, referrer: referrer,
                personal: personalRecord(personalBytes, header: header, mask: 0))
        case .profileUpdated:
            var input = ByteReader(publicBytes)
            let mask = try input.readVarint()
            let province = mask & 16 != 0 ? try input.readString() : nil
            let city = mask & 32 != 0 ? try input.readString() : nil
            guard input.isAtEnd else { throw .malformed("payload of \(type) has trailing bytes", at: input.offset) }
            let personal = mask & PayloadCodec.personalFieldBits == 0
                ? nil : personalRecord(personalBytes, header: header, mask: mask)
            return .profileUpdated(province: province, city: city, personal: personal)
        default:
            break
        }

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
        case .customerRegistered, .profileUpdated:
            // Read by decode(_:header:lineItems:) from the stored bytes.
            return .skipped

        case .purchaseRecorded where lineItems:
            guard
                case .purchaseRecorded(let purchase) = try PayloadCodec.decode(type, public: &input, personal: &personal)
            else { return .skipped }
            return FoldEvent(.purchaseRecorded(purchase))

        case .purchaseRecorded:
            let orderID = try input.readString()
            return .purchase(orderID: orderID, amount: try PayloadCodec.readMoney(&input), lineItems: [])

        case .programDefined, .programChanged, .tierAssigned, .pointsExpired, .rewardGranted, .customerErased:
            return FoldEvent(try PayloadCodec.decode(type, public: &input, personal: &personal, withheld: true))

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

extension FoldEvent {
    /// Returns the personal record of a stored personal part, or nil when it is empty.
    static func personalRecord(_ bytes: UnsafeRawBufferPointer, header: EventCodec.Header, mask: UInt64) -> PersonalRecord? {
        guard !bytes.isEmpty else { return nil }
        return PersonalRecord(
            eventID: header.id, typeCode: header.typeCode, mask: mask, isSealed: header.isPersonalSealed,
            bytes: Array(bytes))
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
