extension CustomerState {
    /// Format 1 had no lots, debt, rewards, tier assignment, lifetime totals or points
    /// per order and window entry. Format 2 added them. Format 3 keeps only the province and city
    /// of the profile in clear, with the personal parts of the customer's registration and
    /// profile updates as stored in their events, and the erasure time. Older formats are
    /// rebuilt by a replay when the ledger is upgraded, so only format 3 is read.
    static let encodingFormat: UInt8 = 3

    /// Writes the state in the projection table's binary form. Equal states give equal bytes.
    func encode(into writer: inout ByteWriter) {
        writer.write(Self.encodingFormat)
        writer.write(varint: customerID.rawValue)
        writer.write(varint: UInt64(version))
        writer.write(varint: lastPosition)
        writer.write(signed: registeredAt.microseconds)
        writer.write(province)
        writer.write(city)
        writer.write(lengthPrefixed: personalRecords.bytes)
        writeOptional(erasedAt, into: &writer)
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
        writer.write(signed: points.expired)
        writer.write(signed: points.forgiven)
        writer.write(signed: pointsDebt)
        writer.write(varint: UInt64(nextLotNumber))
        writer.write(varint: UInt64(lots.count))
        for lot in lots {
            writer.write(varint: UInt64(lot.number))
            writer.write(signed: lot.earnedAt.microseconds)
            writer.write(signed: lot.availableAt.microseconds - lot.earnedAt.microseconds)
            writer.write(signed: lot.expiresAt.map { $0.microseconds - lot.earnedAt.microseconds } ?? Int64.min)
            writer.write(signed: lot.remaining)
            writer.write(bigEndian: lot.orderFingerprint)
            writer.write(signed: lot.writtenOff)
        }
        writer.write(varint: UInt64(rewardKeys.count))
        for key in rewardKeys { writer.write(varint: key) }
        if let assignment = tierAssignment {
            writer.write(1)
            writer.write(assignment.tier)
            writer.write(assignment.reason)
            writer.write(signed: assignment.until?.microseconds ?? Int64.min)
        } else {
            writer.write(0)
        }
        writer.write(signed: windowBase.netSpend)
        writer.write(signed: windowBase.purchases)
        writer.write(signed: windowBase.points)
        writer.write(signed: latestEventAt.microseconds)

        writer.write(signed: latestSpendAt.microseconds)
        writer.write(varint: UInt64(window.count))
        var previous = latestSpendAt.microseconds
        for entry in window.reversed() {
            // Newest first as deltas back in time, which are small and never negative.
            writer.write(varint: UInt64(previous - entry.occurredAt.microseconds))
            writer.write(signed: entry.amount)
            writer.write(entry.isPurchase ? 1 : 0)
            writer.write(signed: entry.points)
            writer.write(varint: UInt64(entry.currencyCode))
            previous = entry.occurredAt.microseconds
        }

        writer.write(varint: UInt64(orderFingerprints.count))
        for fingerprint in orderFingerprints { writer.write(bigEndian: fingerprint) }
        writer.write(varint: UInt64(orderPoints.count))
        for points in orderPoints { writer.write(signed: points) }
    }

    /// Reads only the last position, the head of the customer's chain of events.
    static func lastPosition(in buffer: UnsafeRawBufferPointer) throws(DecodingError) -> UInt64 {
        var reader = ByteReader(buffer)
        let format = try reader.readByte()
        guard format == encodingFormat else {
            throw .malformed("unknown customer state format \(format)", at: 0)
        }
        _ = try reader.readVarint()
        _ = try reader.readVarint()
        return try reader.readVarint()
    }

    /// Decodes a state that ``encode(into:)`` wrote, checking bounds and the profile's layout.
    static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodingError) -> CustomerState {
        var reader = ByteReader(buffer)
        let format = try reader.readByte()
        guard format == encodingFormat else {
            throw .malformed("unknown customer state format \(format)", at: 0)
        }

        let id = CustomerID(unchecked: try reader.readVarint())
        let version = UInt32(truncatingIfNeeded: try reader.readVarint())
        let lastPosition = try reader.readVarint()
        let registeredAt = Timestamp(microseconds: try reader.readSigned())
        let province = try reader.readString()
        let city = try reader.readString()
        let records = try PersonalRecords(checking: try reader.slice(try reader.readLength()))
        let erasedAt = try readOptional(&reader)
        let referrer = CustomerID(try reader.readVarint())
        var state = CustomerState(
            customerID: id, registeredAt: registeredAt, profile: CustomerProfile(name: "", province: province, city: city),
            referrer: referrer)
        state.personalRecords = records
        state.erasedAt = erasedAt
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
        if format >= 2 {
            state.points.expired = try reader.readSigned()
            state.points.forgiven = try reader.readSigned()
            state.pointsDebt = try reader.readSigned()
            let lastLot = try reader.readVarint()
            guard lastLot <= UInt64(UInt32.max) else { throw .malformed("lot number too large", at: reader.offset) }
            state.nextLotNumber = UInt32(lastLot)
            let lots = try reader.readVarint()
            guard lots <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
            for _ in 0..<lots {
                let number = try reader.readVarint()
                guard number <= UInt64(UInt32.max) else { throw .malformed("lot number too large", at: reader.offset) }
                let earnedAt = try reader.readSigned()
                let availableAt = try reader.readSigned()
                let expiresAt = try reader.readSigned()
                state.lots.append(
                    PointsLot(
                        number: UInt32(number), earnedAt: Timestamp(microseconds: earnedAt),
                        availableAt: Timestamp(microseconds: earnedAt &+ availableAt),
                        expiresAt: expiresAt == Int64.min ? nil : Timestamp(microseconds: earnedAt &+ expiresAt),
                        remaining: try reader.readSigned(), orderFingerprint: try reader.readBigEndian32(),
                        writtenOff: try reader.readSigned()))
            }
            let keys = try reader.readVarint()
            guard keys <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
            for _ in 0..<keys { state.rewardKeys.append(try reader.readVarint()) }
            if try reader.readByte() == 1 {
                let tier = try reader.readString()
                let reason = try reader.readString()
                let until = try reader.readSigned()
                state.tierAssignment = TierAssigned(
                    tier: tier, reason: reason, until: until == Int64.min ? nil : Timestamp(microseconds: until))
            }
            state.windowBase = WindowTotals(
                netSpend: try reader.readSigned(), purchases: try reader.readSigned(), points: try reader.readSigned())
            state.latestEventAt = Timestamp(microseconds: try reader.readSigned())
        } else if state.points.balance > 0 {
            // A format 1 state kept only totals: its balance becomes one lot, available and never expiring.
            state.nextLotNumber = 1
            state.lots = [
                PointsLot(
                    number: 1, earnedAt: registeredAt, availableAt: registeredAt, expiresAt: nil,
                    remaining: state.points.balance, orderFingerprint: 0)
            ]
        } else {
            state.pointsDebt = -state.points.balance
        }

        state.latestSpendAt = Timestamp(microseconds: try reader.readSigned())
        let entries = try reader.readVarint()
        guard entries <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }
        state.window.reserveCapacity(Int(entries))
        var previous = state.latestSpendAt.microseconds
        for _ in 0..<entries {
            previous -= Int64(bitPattern: try reader.readVarint())
            let amount = try reader.readSigned()
            let isPurchase = try reader.readByte() == 1
            let points = format >= 2 ? try reader.readSigned() : 0
            let code = format >= 2 ? try reader.readVarint() : 0
            guard code <= UInt64(UInt32.max) else { throw .malformed("invalid currency in a window entry", at: reader.offset) }
            state.window.append(
                SpendEntry(
                    occurredAt: Timestamp(microseconds: previous), amount: amount, isPurchase: isPurchase, points: points,
                    currencyCode: UInt32(code)))
        }
        state.window.reverse()

        let fingerprints = try reader.readVarint()
        guard fingerprints <= UInt64(reader.remaining / 4) else { throw .truncated(at: reader.offset) }
        state.orderFingerprints.reserveCapacity(Int(fingerprints))
        for _ in 0..<fingerprints { state.orderFingerprints.append(try reader.readBigEndian32()) }
        if format >= 2 {
            let kept = try reader.readVarint()
            guard kept <= fingerprints else { throw .malformed("more order points than orders", at: reader.offset) }
            state.orderPoints.reserveCapacity(Int(kept))
            for _ in 0..<kept { state.orderPoints.append(try reader.readSigned()) }
        } else {
            state.orderPoints = Array(repeating: -1, count: Int(fingerprints))
        }

        // Format 1 did not keep the latest event time. Events after the latest spend are rare
        // there, and as-of queries before it refold the events anyway.
        if format == 1 { state.latestEventAt = state.latestSpendAt }
        guard reader.isAtEnd else { throw .malformed("trailing bytes in customer state", at: reader.offset) }
        return state
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
