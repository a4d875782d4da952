/// One customer event as the analyses read it: only fields that the ledger stores in clear, so
/// that every analysis except the birthday list runs without the master key and for every role.
enum AnalysisEvent {
    case registered(province: String, city: String)
    /// A profile update, with the province and city only when it changes them.
    case profileUpdated(province: String?, city: String?)
    /// A purchase, with its line items only when the scan was asked for them.
    case purchase(amount: Money, lineItems: [LineItem])
    case refund(amount: Money)
    case feedback(channel: FeedbackRecorded.Channel, rating: Int, isComplaint: Bool)
}

extension Ledger {
    /// Calls `body` with every customer event that an analysis reads, in position order, from
    /// one read transaction so that the figures come from one consistent snapshot.
    ///
    /// Events of other types, of an unknown type or of a newer schema version are skipped. The
    /// personal part of each record is never opened.
    /// - parameter lineItems: true to decode the line items of purchases, which only the SKU
    ///   figures need.
    /// - Complexity: O(N) for N events.
    func scanForAnalysis(
        _ txn: Transaction, lineItems: Bool,
        _ body: (_ customer: CustomerID, _ occurredAt: Timestamp, _ event: AnalysisEvent) throws -> Void
    ) throws {
        try txn.withCursor(schema.events) { cursor in
            var entry = try cursor.first()
            while let (key, value) = entry {
                let position = Keys.readUInt64(key)
                let decoded: (EventCodec.Header, AnalysisEvent)?
                do {
                    decoded = try Self.decodeForAnalysis(value, lineItems: lineItems)
                } catch let error as DecodingError {
                    throw LedgerError.corruptEvent(position: position, error)
                }
                if let (header, event) = decoded {
                    try body(header.customerID, header.occurredAt, event)
                }
                entry = try cursor.next()
            }
        }
    }

    /// Decodes the header and public payload of a stored record, or returns nil for an event
    /// that no analysis reads.
    private static func decodeForAnalysis(_ record: UnsafeRawBufferPointer, lineItems: Bool) throws(DecodingError)
        -> (EventCodec.Header, AnalysisEvent)?
    {
        var reader = ByteReader(record)
        let header = try EventCodec.decodeHeader(&reader, metadata: false)
        guard let type = EventType(rawValue: header.typeCode), type.reads(schemaVersion: header.schemaVersion) else {
            return nil
        }
        switch type {
        case .customerRegistered, .profileUpdated, .purchaseRecorded, .refundRecorded, .feedbackRecorded: break
        default: return nil
        }
        let publicBytes = try reader.slice(try reader.readLength())
        let personalBytes = try reader.slice(try reader.readLength())
        let event = try EventUpcasters.withCurrentVersion(
            of: type, schemaVersion: header.schemaVersion, publicBytes: publicBytes, personalBytes: personalBytes
        ) { (current, _) throws(DecodingError) -> AnalysisEvent in
            var input = ByteReader(current)
            return try decodePublicPayload(type, &input, lineItems: lineItems)
        }
        return (header, event)
    }

    /// Reads the fields an analysis needs from the public payload of the current schema version
    /// of `type`, in the layout that ``PayloadCodec`` writes.
    private static func decodePublicPayload(_ type: EventType, _ input: inout ByteReader, lineItems: Bool)
        throws(DecodingError) -> AnalysisEvent
    {
        switch type {
        case .customerRegistered:
            let province = try input.readString()
            return .registered(province: province, city: try input.readString())

        case .profileUpdated:
            let mask = try input.readVarint()
            let province = mask & PayloadCodec.provinceBit != 0 ? try input.readString() : nil
            let city = mask & PayloadCodec.cityBit != 0 ? try input.readString() : nil
            return .profileUpdated(province: province, city: city)

        case .purchaseRecorded:
            try input.skipString()
            let amount = try PayloadCodec.readMoney(&input)
            guard lineItems else { return .purchase(amount: amount, lineItems: []) }
            return .purchase(amount: amount, lineItems: try PayloadCodec.readLineItems(&input, categories: false))

        case .refundRecorded:
            try input.skipString()
            return .refund(amount: try PayloadCodec.readMoney(&input))

        default:
            let channelCode = try input.readByte()
            guard let channel = FeedbackRecorded.Channel(rawValue: channelCode) else {
                throw .malformed("unknown feedback channel \(channelCode)", at: input.offset - 1)
            }
            let rating = Int(try input.readByte())
            return .feedback(channel: channel, rating: rating, isComplaint: try input.readByte() != 0)
        }
    }
}

/// A calendar month, such as 1997-03, in the loyalty program's time zone.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Creates the month with `index` months since January of year 0, the inverse of ``index``.
    init(index: Int) {
        let year = index >= 0 ? index / 12 : (index - 11) / 12
        self.init(year: year, month: index - year * 12 + 1)
    }

    /// The number of months since January of year 0, so that consecutive months differ by 1.
    var index: Int { year * 12 + month - 1 }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { lhs.index < rhs.index }

    /// The month as `YYYY-MM`.
    public var description: String {
        let monthText = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(monthText)"
    }
}

extension ZonedCalendar {
    /// Returns the local month that contains `instant`.
    func yearMonth(of instant: Timestamp) -> YearMonth {
        let date = localDate(of: instant)
        return YearMonth(year: date.year, month: date.month)
    }

    /// Returns the number of local calendar days from the day of `earlier` to the day of `later`.
    func daysBetween(_ earlier: Timestamp, _ later: Timestamp) -> Int64 {
        localDate(of: later).daysSinceEpoch - localDate(of: earlier).daysSinceEpoch
    }
}

/// A figure of an analysis that does not fit in a 64-bit count of minor units or units.
public struct AnalysisOverflowError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The figure, such as `the net revenue of 1997-03`.
    public let figure: String

    public var description: String {
        "\(figure) exceeds the range of a 64-bit integer, so the analysis cannot add it up exactly; analyse a shorter period"
    }
}

/// Integer arithmetic for analysis totals, which throws instead of trapping or wrapping.
enum AnalysisMath {
    /// Returns `total + amount`, or throws ``AnalysisOverflowError`` naming `figure`.
    @inline(__always)
    static func add(_ total: Int64, _ amount: Int64, figure: @autoclosure () -> String) throws(AnalysisOverflowError) -> Int64 {
        let (sum, overflow) = total.addingReportingOverflow(amount)
        if overflow { throw AnalysisOverflowError(figure: figure()) }
        return sum
    }

    /// Returns `value / divisor` rounded toward negative infinity, or 0 for a divisor of 0.
    static func floorDivide(_ value: Int64, by divisor: Int64) -> Int64 {
        guard divisor != 0 else { return 0 }
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// Returns `part / whole` as a fraction for display, or 0 when `whole` is 0.
    static func ratio(_ part: Int, _ whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }
}
