/// What the ledger keeps about one order to check refunds and reverse points.
struct OrderRecord: Equatable, Sendable {
    var amount: Money
    var refunded: Int64
    var pointsEarned: Int64
    var pointsReversed: Int64

    var refundable: Int64 { amount.minorUnits - refunded }

    func encode(into writer: inout ByteWriter) {
        PayloadCodec.write(amount, to: &writer)
        writer.write(signed: refunded)
        writer.write(signed: pointsEarned)
        writer.write(signed: pointsReversed)
    }

    static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) -> OrderRecord {
        var reader = ByteReader(buffer)
        let amount = try PayloadCodec.readMoney(&reader)
        let refunded = try reader.readSigned()
        let earned = try reader.readSigned()
        let reversed = try reader.readSigned()
        return OrderRecord(amount: amount, refunded: refunded, pointsEarned: earned, pointsReversed: reversed)
    }
}
