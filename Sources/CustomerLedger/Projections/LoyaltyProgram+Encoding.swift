extension LoyaltyProgram {
    /// Format 1 stored the currency, earning, a window in days and the tiers' spend, purchase and
    /// tenure requirements. Format 2 stores every field.
    static let encodingFormat: UInt8 = 2

    func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.encodingFormat)
        writer.write(varint: UInt64(currency.packed))
        writer.write(timeZone)
        writer.write(signed: pointsPerUnit)
        writer.write(earningScope.rawValue)
        writer.write(rounding.rawValue)
        writer.write(signed: minimumOrderAmount)
        for table in [skuMultipliers, categoryMultipliers] {
            writer.write(varint: UInt64(table.count))
            for (key, multiplier) in table.sorted(by: { $0.key < $1.key }) {
                writer.write(key)
                writer.write(signed: multiplier)
            }
        }
        writer.write(signed: maximumPointsPerOrder ?? -1)
        writer.write(signed: maximumPointsPerDay ?? -1)
        writer.write(signed: pendingDays)
        switch expiry {
        case .never: writer.write(0)
        case .afterDays(let days):
            writer.write(1)
            writer.write(signed: days)
        case .endOfMonth: writer.write(2)
        case .endOfYear: writer.write(3)
        }
        writer.write(refundShortfall.rawValue)
        writer.write(signed: redemption.minimumPoints)
        writer.write(signed: redemption.maximumBalancePercent)
        writer.write(signed: redemption.maximumOrderPercent)
        writer.write(signed: pointValue.points)
        writer.write(signed: pointValue.minorUnits)
        switch tierWindow {
        case .rollingDays(let days):
            writer.write(1)
            writer.write(signed: days)
        case .rollingMonths(let months):
            writer.write(2)
            writer.write(signed: months)
        case .calendarYear: writer.write(3)
        case .lifetime: writer.write(4)
        }
        writer.write(signed: downgradeGraceDays)
        writer.write(varint: UInt64(tiers.count))
        for tier in tiers {
            writer.write(tier.name)
            writer.write(signed: tier.minimumNetSpend)
            writer.write(signed: tier.minimumPurchases)
            writer.write(signed: tier.minimumTenureDays)
            writer.write(signed: tier.minimumPointsEarned)
            writer.write(signed: tier.multiplier)
        }
        if let referral {
            writer.write(1)
            writer.write(signed: referral.referrerPoints)
            writer.write(signed: referral.newCustomerPoints)
        } else {
            writer.write(0)
        }
        if let birthday {
            writer.write(1)
            writer.write(signed: birthday.points)
            writer.write(birthday.timing.rawValue)
            writer.write(birthday.leapDayInCommonYears == .february28 ? 1 : 2)
        } else {
            writer.write(0)
        }
        writer.write(varint: UInt64(offers.count))
        for offer in offers {
            writer.write(offer.id)
            writer.write(offer.name)
            writer.write(signed: offer.points)
            writer.write(varint: UInt64(offer.eligibleTiers.count))
            for tier in offer.eligibleTiers { writer.write(tier) }
        }
        return writer.bytes
    }

    static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) -> LoyaltyProgram {
        var reader = ByteReader(buffer)
        let format = try reader.readByte()
        guard format == 1 || format == encodingFormat else { throw .malformed("unknown program format \(format)", at: 0) }
        let packed = try reader.readVarint()
        guard packed <= UInt64(UInt32.max), let currency = Currency(packed: UInt32(packed)) else {
            throw .malformed("invalid program currency", at: 1)
        }
        if format == 1 { return try decodeFormat1(&reader, currency: currency) }

        var program = LoyaltyProgram(currency: currency)
        program.timeZone = try reader.readString()
        program.pointsPerUnit = try reader.readSigned()
        program.earningScope = try readEnum(&reader, "earning scope")
        program.rounding = try readEnum(&reader, "rounding")
        program.minimumOrderAmount = try reader.readSigned()
        var tables: [[String: Int64]] = []
        for _ in 0..<2 {
            let count = try reader.readVarint()
            guard count <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
            var table: [String: Int64] = [:]
            for _ in 0..<count { table[try reader.readString()] = try reader.readSigned() }
            tables.append(table)
        }
        program.skuMultipliers = tables[0]
        program.categoryMultipliers = tables[1]
        let orderCap = try reader.readSigned()
        program.maximumPointsPerOrder = orderCap < 0 ? nil : orderCap
        let dayCap = try reader.readSigned()
        program.maximumPointsPerDay = dayCap < 0 ? nil : dayCap
        program.pendingDays = try reader.readSigned()
        switch try reader.readByte() {
        case 0: program.expiry = .never
        case 1: program.expiry = .afterDays(try reader.readSigned())
        case 2: program.expiry = .endOfMonth
        case 3: program.expiry = .endOfYear
        case let other: throw .malformed("unknown expiry kind \(other)", at: reader.offset - 1)
        }
        program.refundShortfall = try readEnum(&reader, "refund shortfall policy")
        program.redemption = RedemptionRules(
            minimumPoints: try reader.readSigned(), maximumBalancePercent: try reader.readSigned(),
            maximumOrderPercent: try reader.readSigned())
        program.pointValue = PointValue(points: try reader.readSigned(), minorUnits: try reader.readSigned())
        switch try reader.readByte() {
        case 1: program.tierWindow = .rollingDays(try reader.readSigned())
        case 2: program.tierWindow = .rollingMonths(try reader.readSigned())
        case 3: program.tierWindow = .calendarYear
        case 4: program.tierWindow = .lifetime
        case let other: throw .malformed("unknown tier window kind \(other)", at: reader.offset - 1)
        }
        program.downgradeGraceDays = try reader.readSigned()
        let tierCount = try reader.readVarint()
        guard tierCount <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        program.tiers = []
        for _ in 0..<tierCount {
            program.tiers.append(
                TierRule(
                    name: try reader.readString(), minimumNetSpend: try reader.readSigned(),
                    minimumPurchases: try reader.readSigned(), minimumTenureDays: try reader.readSigned(),
                    minimumPointsEarned: try reader.readSigned(), multiplier: try reader.readSigned()))
        }
        if try reader.readByte() == 1 {
            program.referral = ReferralReward(referrerPoints: try reader.readSigned(), newCustomerPoints: try reader.readSigned())
        }
        if try reader.readByte() == 1 {
            let points = try reader.readSigned()
            let timing: BirthdayReward.Timing = try readEnum(&reader, "birthday timing")
            let leapDay: ZonedCalendar.LeapDayRule = try reader.readByte() == 1 ? .february28 : .march1
            program.birthday = BirthdayReward(points: points, timing: timing, leapDayInCommonYears: leapDay)
        }
        let offerCount = try reader.readVarint()
        guard offerCount <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        for _ in 0..<offerCount {
            let id = try reader.readString()
            let name = try reader.readString()
            let points = try reader.readSigned()
            let count = try reader.readVarint()
            guard count <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
            var tiers: [String] = []
            for _ in 0..<count { tiers.append(try reader.readString()) }
            program.offers.append(MemberOffer(id: id, name: name, points: points, eligibleTiers: tiers))
        }
        guard reader.isAtEnd else { throw .malformed("\(reader.remaining) bytes after the program", at: reader.offset) }
        return program
    }

    private static func decodeFormat1(_ reader: inout ByteReader, currency: Currency) throws(DecodingError) -> LoyaltyProgram {
        let pointsPerUnit = try reader.readSigned()
        let scope: EarningScope = try readEnum(&reader, "earning scope")
        let window = try reader.readSigned()
        let count = try reader.readVarint()
        guard count <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        var tiers: [TierRule] = []
        for _ in 0..<count {
            tiers.append(
                TierRule(
                    name: try reader.readString(), minimumNetSpend: try reader.readSigned(),
                    minimumPurchases: try reader.readSigned(), minimumTenureDays: try reader.readSigned()))
        }
        return LoyaltyProgram(
            currency: currency, pointsPerUnit: pointsPerUnit, earningScope: scope, tierWindowDays: window, tiers: tiers)
    }

    private static func readEnum<Value: RawRepresentable<UInt8>>(_ reader: inout ByteReader, _ name: String)
        throws(DecodingError) -> Value
    {
        let raw = try reader.readByte()
        guard let value = Value(rawValue: raw) else { throw .malformed("unknown \(name) \(raw)", at: reader.offset - 1) }
        return value
    }
}
