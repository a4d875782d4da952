/// Encodes and decodes each payload type as its public part and its personal part.
///
/// It reads and writes the current schema version of every type only: ``EventUpcasters`` upgrades
/// older stored versions before decoding. Strings are length-prefixed UTF-8, amounts zigzag
/// varints, currencies three ASCII bytes, dates `yyyymmdd` varints with 0 for none.
enum PayloadCodec {
    // Bits of the ProfileUpdated field mask.
    private static let nameBit: UInt64 = 1
    private static let phoneBit: UInt64 = 2
    private static let emailBit: UInt64 = 4
    private static let birthdayBit: UInt64 = 8
    static let provinceBit: UInt64 = 16
    static let cityBit: UInt64 = 32
    private static let addressBit: UInt64 = 64

    /// Returns the field mask of a profile update: one bit per field it sets or withholds.
    static func mask(of changes: ProfileChanges) -> UInt64 {
        var mask: UInt64 = 0
        if changes.withheldFields.contains("birthday") { mask |= birthdayBit }
        if changes.name != nil { mask |= nameBit }
        if changes.phone != nil { mask |= phoneBit }
        if changes.email != nil { mask |= emailBit }
        if changes.birthday != nil { mask |= birthdayBit }
        if changes.province != nil { mask |= provinceBit }
        if changes.city != nil { mask |= cityBit }
        if changes.address != nil { mask |= addressBit }
        return mask
    }

    static func encode(_ payload: EventPayload, public out: inout ByteWriter, personal: inout ByteWriter) {
        switch payload {
        case .customerRegistered(let registered):
            let profile = registered.profile
            out.write(profile.province)
            out.write(profile.city)
            out.write(varint: registered.referrer?.rawValue ?? 0)
            personal.write(profile.name)
            personal.write(profile.phone)
            personal.write(profile.email)
            personal.write(varint: UInt64(profile.birthday?.packed ?? 0))
            personal.write(profile.address)

        case .profileUpdated(let updated):
            let changes = updated.changes
            out.write(varint: mask(of: changes))
            if let province = changes.province { out.write(province) }
            if let city = changes.city { out.write(city) }
            if let name = changes.name { personal.write(name) }
            if let phone = changes.phone { personal.write(phone) }
            if let email = changes.email { personal.write(email) }
            if let birthday = changes.birthday { personal.write(varint: UInt64(birthday.packed)) }
            if let address = changes.address { personal.write(address) }

        case .purchaseRecorded(let purchase):
            out.write(purchase.orderID)
            write(purchase.amount, to: &out)
            out.write(varint: UInt64(purchase.lineItems.count))
            for item in purchase.lineItems {
                out.write(item.sku)
                out.write(signed: item.quantity)
                out.write(signed: item.unitPrice)
                out.write(item.category)
            }
            out.write(purchase.channel)
            out.write(purchase.store)

        case .refundRecorded(let refund):
            out.write(refund.orderID)
            write(refund.amount, to: &out)
            out.write(refund.reason)

        case .pointsRedeemed(let redeemed):
            out.write(signed: redeemed.points)
            out.write(redeemed.reward)
            out.write(redeemed.orderID)

        case .pointsAdjusted(let adjusted):
            out.write(signed: adjusted.points)
            out.write(adjusted.reason)

        case .feedbackRecorded(let feedback):
            out.write(feedback.channel.rawValue)
            out.write(UInt8(clamping: feedback.rating))
            out.write(feedback.isComplaint ? 1 : 0)
            personal.write(feedback.text)

        case .programDefined(let version), .programChanged(let version):
            out.write(signed: version.effectiveFrom.microseconds)
            out.write(lengthPrefixed: version.program.encode())

        case .tierAssigned(let assigned):
            out.write(assigned.tier)
            out.write(assigned.reason)
            out.write(signed: assigned.until?.microseconds ?? Int64.min)

        case .pointsExpired(let expired):
            out.write(signed: expired.points)
            out.write(varint: UInt64(expired.lot))

        case .rewardGranted(let reward):
            out.write(reward.kind.rawValue)
            out.write(reward.key)
            out.write(signed: reward.points)

        case .customerErased(let erased):
            out.write(erased.reason)

        case .unrecognized(let unknown):
            out.write(raw: unknown.publicBytes)
            personal.write(raw: unknown.personalBytes)
        }
    }

    /// Decodes the current schema version of `type`.
    ///
    /// - parameter withheld: true when the personal part may not or cannot be read: its fields
    ///   are left empty and `personal` is not read. A profile update then keeps the changed
    ///   text fields as empty strings, so that they still show as changed.
    static func decode(
        _ type: EventType, public input: inout ByteReader, personal: inout ByteReader, withheld: Bool = false
    ) throws(DecodingError) -> EventPayload {
        switch type {
        case .customerRegistered:
            let province = try input.readString()
            let city = try input.readString()
            let referrer = CustomerID(try input.readVarint())
            var profile = CustomerProfile(name: "", province: province, city: city)
            if !withheld { try applyPersonal(typeCode: type.rawValue, mask: 0, from: &personal, to: &profile) }
            return .customerRegistered(CustomerRegistered(profile: profile, referrer: referrer))

        case .profileUpdated:
            let mask = try input.readVarint()
            var changes = ProfileChanges()
            if mask & provinceBit != 0 { changes.province = try input.readString() }
            if mask & cityBit != 0 { changes.city = try input.readString() }
            if withheld {
                if mask & nameBit != 0 { changes.name = "" }
                if mask & phoneBit != 0 { changes.phone = "" }
                if mask & emailBit != 0 { changes.email = "" }
                if mask & addressBit != 0 { changes.address = "" }
                changes.withheldFields = [
                    (nameBit, "name"), (phoneBit, "phone"), (emailBit, "email"), (birthdayBit, "birthday"),
                    (addressBit, "address"),
                ].filter { mask & $0.0 != 0 }.map(\.1)
            } else {
                try readPersonalChanges(mask: mask, from: &personal, into: &changes)
            }
            return .profileUpdated(ProfileUpdated(changes: changes))

        case .purchaseRecorded:
            let orderID = try input.readString()
            let amount = try readMoney(&input)
            let items = try readLineItems(&input, categories: true)
            let channel = try input.readString()
            let store = try input.readString()
            return .purchaseRecorded(
                PurchaseRecorded(orderID: orderID, amount: amount, lineItems: items, channel: channel, store: store))

        case .refundRecorded:
            let orderID = try input.readString()
            let amount = try readMoney(&input)
            let reason = try input.readString()
            return .refundRecorded(RefundRecorded(orderID: orderID, amount: amount, reason: reason))

        case .pointsRedeemed:
            let points = try input.readSigned()
            let reward = try input.readString()
            let orderID = try input.readString()
            return .pointsRedeemed(PointsRedeemed(points: points, reward: reward, orderID: orderID))

        case .pointsAdjusted:
            let points = try input.readSigned()
            return .pointsAdjusted(PointsAdjusted(points: points, reason: try input.readString()))

        case .feedbackRecorded:
            let channelCode = try input.readByte()
            guard let channel = FeedbackRecorded.Channel(rawValue: channelCode) else {
                throw .malformed("unknown feedback channel \(channelCode)", at: input.offset - 1)
            }
            let rating = Int(try input.readByte())
            let complaint = try input.readByte() != 0
            let text = withheld ? "" : try personal.readString()
            return .feedbackRecorded(FeedbackRecorded(channel: channel, rating: rating, isComplaint: complaint, text: text))

        case .programDefined, .programChanged:
            let effectiveFrom = Timestamp(microseconds: try input.readSigned())
            let programBytes = try input.slice(try input.readLength())
            let version = ProgramVersion(effectiveFrom: effectiveFrom, program: try LoyaltyProgram.decode(programBytes))
            return type == .programDefined ? .programDefined(version) : .programChanged(version)

        case .tierAssigned:
            let tier = try input.readString()
            let reason = try input.readString()
            let until = try input.readSigned()
            return .tierAssigned(
                TierAssigned(tier: tier, reason: reason, until: until == Int64.min ? nil : Timestamp(microseconds: until)))

        case .pointsExpired:
            let points = try input.readSigned()
            let lot = try input.readVarint()
            guard lot <= UInt64(UInt32.max) else { throw .malformed("lot number \(lot) too large", at: input.offset) }
            return .pointsExpired(PointsExpired(points: points, lot: UInt32(lot)))

        case .rewardGranted:
            let code = try input.readByte()
            guard let kind = RewardGranted.Kind(rawValue: code) else {
                throw .malformed("unknown reward kind \(code)", at: input.offset - 1)
            }
            let key = try input.readString()
            return .rewardGranted(RewardGranted(kind: kind, key: key, points: try input.readSigned()))

        case .customerErased:
            return .customerErased(CustomerErased(reason: try input.readString()))
        }
    }

    /// Reads the personal fields of a profile update that `mask` names.
    private static func readPersonalChanges(mask: UInt64, from personal: inout ByteReader, into changes: inout ProfileChanges)
        throws(DecodingError)
    {
        if mask & nameBit != 0 { changes.name = try personal.readString() }
        if mask & phoneBit != 0 { changes.phone = try personal.readString() }
        if mask & emailBit != 0 { changes.email = try personal.readString() }
        if mask & birthdayBit != 0 {
            guard let birthday = try readDate(&personal) else {
                throw .malformed("profile update sets an empty birthday", at: personal.offset)
            }
            changes.birthday = birthday
        }
        if mask & addressBit != 0 { changes.address = try personal.readString() }
    }

    /// Applies the personal part of a registration or a profile update with field mask `mask`
    /// to `profile`.
    static func applyPersonal(typeCode: UInt16, mask: UInt64, from personal: inout ByteReader, to profile: inout CustomerProfile)
        throws(DecodingError)
    {
        if typeCode == EventType.customerRegistered.rawValue {
            profile.name = try personal.readString()
            profile.phone = try personal.readString()
            profile.email = try personal.readString()
            profile.birthday = try readDate(&personal)
            profile.address = try personal.readString()
        } else {
            var changes = ProfileChanges()
            try readPersonalChanges(mask: mask, from: &personal, into: &changes)
            profile.apply(changes)
        }
    }

    /// The bits of a profile update's mask that name personal fields.
    static let personalFieldBits = nameBit | phoneBit | emailBit | birthdayBit | addressBit

    static func write(_ money: Money, to out: inout ByteWriter) {
        out.write(signed: money.minorUnits)
        out.write(UInt8(truncatingIfNeeded: money.currency.packed >> 16))
        out.write(UInt8(truncatingIfNeeded: money.currency.packed >> 8))
        out.write(UInt8(truncatingIfNeeded: money.currency.packed))
    }

    /// Reads a purchase's line items. Without `categories`, each category is skipped and left
    /// empty, which saves a string per item for readers that group by SKU only.
    static func readLineItems(_ input: inout ByteReader, categories: Bool) throws(DecodingError) -> [LineItem] {
        let count = try input.readVarint()
        guard count <= UInt64(input.remaining) else { throw .truncated(at: input.offset) }
        var items: [LineItem] = []
        items.reserveCapacity(Int(count))
        for _ in 0..<count {
            let sku = try input.readString()
            let quantity = try input.readSigned()
            let unitPrice = try input.readSigned()
            var category = ""
            if categories { category = try input.readString() } else { try input.skipString() }
            items.append(LineItem(sku: sku, quantity: quantity, unitPrice: unitPrice, category: category))
        }
        return items
    }

    static func readMoney(_ input: inout ByteReader) throws(DecodingError) -> Money {
        let minorUnits = try input.readSigned()
        let packed = UInt32(try input.readByte()) << 16 | UInt32(try input.readByte()) << 8 | UInt32(try input.readByte())
        guard let currency = Currency(packed: packed) else {
            throw .malformed("invalid currency code", at: input.offset - 3)
        }
        return Money(minorUnits: minorUnits, currency: currency)
    }

    static func readDate(_ input: inout ByteReader) throws(DecodingError) -> CivilDate? {
        let packed = try input.readVarint()
        if packed == 0 { return nil }
        guard packed <= UInt64(UInt32.max), let date = CivilDate(packed: UInt32(packed)) else {
            throw .malformed("invalid date \(packed)", at: input.offset)
        }
        return date
    }
}
