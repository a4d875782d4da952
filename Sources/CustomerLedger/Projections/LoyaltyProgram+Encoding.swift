extension LoyaltyProgram {
    static let encodingFormat: UInt8 = 1

    func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.encodingFormat)
        writer.write(varint: UInt64(currency.packed))
        writer.write(signed: pointsPerUnit)
        writer.write(earningScope.rawValue)
        writer.write(signed: tierWindowDays)
        writer.write(varint: UInt64(tiers.count))
        for tier in tiers {
            writer.write(tier.name)
            writer.write(signed: tier.minimumNetSpend)
            writer.write(signed: tier.minimumPurchases)
            writer.write(signed: tier.minimumTenureDays)
        }
        return writer.bytes
    }

    static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) -> LoyaltyProgram {
        var reader = ByteReader(buffer)
        guard try reader.readByte() == encodingFormat else { throw .malformed("unknown program format", at: 0) }
        let packed = try reader.readVarint()
        guard packed <= UInt64(UInt32.max), let currency = Currency(packed: UInt32(packed)) else {
            throw .malformed("invalid program currency", at: 1)
        }
        let pointsPerUnit = try reader.readSigned()
        guard let scope = EarningScope(rawValue: try reader.readByte()) else {
            throw .malformed("unknown earning scope", at: reader.offset - 1)
        }
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
}
