import CustomerLedger
import Foundation

/// A W1M workload file mapped to ledger events.
///
/// File layout (all integers little-endian): a 32-byte header `"LEDGEVT1" | u32 format (1) |
/// u32 customer count | u64 event count | u64 seed`, then per event `u32 length | encoded event`.
/// An encoded event is a 36-byte envelope `u8 type | u8 schema | u16 body length | u32 customer id |
/// u32 version | 16-byte event id | i64 recorded-at (µs)` followed by a body that starts with
/// `i64 occurred-at (µs)`. Strings are a `u8` byte count and UTF-8 bytes.
struct Workload {
    /// Every event of the file, in the file's order (recorded-at order).
    var events: [NewEvent]
    var customerCount: Int

    /// Reads and maps the file at `path`.
    ///
    /// - throws: ``BenchmarkError`` when the file is missing or truncated, or contains an unknown event type.
    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchmarkError("cannot read the workload file '\(path)'; check the path")
        }
        var events: [NewEvent] = []
        var customers = 0
        try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) in
            var reader = LittleEndianReader(file, path: path)
            guard file.count >= 32, file.prefix(8).elementsEqual("LEDGEVT1".utf8) else {
                throw BenchmarkError("'\(path)' is not a W1M workload file: the header does not start with LEDGEVT1")
            }
            reader.offset = 8
            let format = try reader.u32()
            guard format == 1 else { throw BenchmarkError("'\(path)' has workload format \(format); this benchmark reads format 1") }
            customers = Int(try reader.u32())
            let eventCount = Int(try reader.u64())
            _ = try reader.u64()  // The generator's seed.
            events.reserveCapacity(eventCount)

            for index in 0..<eventCount {
                let length = Int(try reader.u32())
                let record = try reader.bytes(length)
                var eventReader = LittleEndianReader(record, path: path)
                events.append(try EventMapper.map(&eventReader, index: index))
            }
        }
        self.events = events
        customerCount = customers
    }
}

/// A benchmark failure: an unreadable workload, a database folder in use, or a ledger result that
/// contradicts the workload.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Maps one encoded W1M event to a ``NewEvent`` with the same id, customer, instants and fields.
///
/// W1M stores sales channels, refund reasons and feedback channels as small codes. The
/// benchmark turns them into the label strings below, which are its own choice: W1M defines
/// only the codes.
enum EventMapper {
    /// Labels of the channel codes 0–4 of registrations and purchases.
    static let channelNames = ["store", "online", "app", "mini-program", "phone"]
    /// Labels of the refund reason codes 1–5.
    static let refundReasons = ["damaged", "wrong-size", "late-delivery", "not-as-described", "changed-mind"]
    /// Feedback channel codes 0–4 folded onto the ledger's three channels by code modulo 3.
    static let feedbackChannels: [FeedbackRecorded.Channel] = [.survey, .phoneCallback, .onlineReview]

    private static let registered: UInt8 = 1
    private static let purchase: UInt8 = 2
    private static let refund: UInt8 = 3
    private static let redeemed: UInt8 = 4
    private static let profileUpdated: UInt8 = 5
    private static let feedback: UInt8 = 6

    static func map(_ reader: inout LittleEndianReader, index: Int) throws -> NewEvent {
        let type = try reader.u8()
        _ = try reader.u8()  // The schema version, always 1.
        _ = try reader.u16()  // The body length; the body is parsed field by field instead.
        let rawCustomer = try reader.u32()
        _ = try reader.u32()  // The per-customer version; the ledger assigns its own.
        let idBytes = try reader.bytes(16)
        let recordedAt = Timestamp(microseconds: try reader.i64())
        let occurredAt = Timestamp(microseconds: try reader.i64())
        guard let customerID = CustomerID(UInt64(rawCustomer)) else {
            throw BenchmarkError("event \(index) has customer id 0, which the ledger reserves")
        }
        let id = UUID(uuid: (idBytes[0], idBytes[1], idBytes[2], idBytes[3], idBytes[4], idBytes[5], idBytes[6],
                             idBytes[7], idBytes[8], idBytes[9], idBytes[10], idBytes[11], idBytes[12], idBytes[13],
                             idBytes[14], idBytes[15]))

        let payload: EventPayload
        var metadata = EventMetadata()
        switch type {
        case registered:
            let name = try reader.string()
            let phone = try reader.string()
            let email = try reader.string()
            let birthday = try reader.u32()
            let province = try reader.string()
            let city = try reader.string()
            metadata.source = try label(channelNames, code: Int(try reader.u8()), field: "channel", index: index)
            let date = CivilDate(year: Int(birthday / 10000), month: Int(birthday / 100 % 100), day: Int(birthday % 100))
            guard let date else { throw BenchmarkError("event \(index) has the invalid birthday \(birthday)") }
            let profile = CustomerProfile(
                name: name, phone: phone, email: email, birthday: date, province: province, city: city)
            payload = .customerRegistered(CustomerRegistered(profile: profile))

        case purchase:
            payload = .purchaseRecorded(try mapPurchase(&reader, index: index))

        case refund:
            let orderID = try reader.string()
            let amount = try reader.i64()
            let reason = try label(refundReasons, code: Int(try reader.u8()) - 1, field: "refund reason", index: index)
            payload = .refundRecorded(
                RefundRecorded(orderID: orderID, amount: Money(minorUnits: amount, currency: .cny), reason: reason))

        case redeemed:
            let points = try reader.i64()
            let reward = try reader.string()
            payload = .pointsRedeemed(PointsRedeemed(points: points, reward: reward))

        case profileUpdated:
            let mask = try reader.u8()
            var changes = ProfileChanges()
            if mask & 1 != 0 { changes.phone = try reader.string() }
            if mask & 2 != 0 { changes.email = try reader.string() }
            if mask & 4 != 0 {
                changes.province = try reader.string()
                changes.city = try reader.string()
            }
            payload = .profileUpdated(ProfileUpdated(changes: changes))

        case feedback:
            let rating = Int(try reader.u8())
            let channel = feedbackChannels[Int(try reader.u8()) % feedbackChannels.count]
            let text = try reader.string()
            // W1M has no complaint flag, so no feedback counts as a complaint.
            payload = .feedbackRecorded(FeedbackRecorded(channel: channel, rating: rating, isComplaint: false, text: text))

        default:
            throw BenchmarkError("event \(index) has the unknown type code \(type)")
        }
        return NewEvent(
            id: id, customerID: customerID, occurredAt: occurredAt, payload: payload, metadata: metadata,
            recordedAt: recordedAt)
    }

    /// Maps a purchase body. The store, terminal and payment method go into the store string as
    /// `store/terminal/payment`, so that the ledger stores every field of the W1M purchase.
    private static func mapPurchase(_ reader: inout LittleEndianReader, index: Int) throws -> PurchaseRecorded {
        let orderID = try reader.string()
        let amount = try reader.i64()
        let currencyCode = String(decoding: try reader.bytes(3), as: UTF8.self)
        guard let currency = Currency(currencyCode) else {
            throw BenchmarkError("event \(index) has the invalid currency code '\(currencyCode)'")
        }
        let channel = try label(channelNames, code: Int(try reader.u8()), field: "channel", index: index)
        let store = try reader.string()
        let terminal = try reader.string()
        let paymentMethod = try reader.string()
        let itemCount = Int(try reader.u8())
        var items: [LineItem] = []
        items.reserveCapacity(itemCount)
        for _ in 0..<itemCount {
            let sku = try reader.string()
            let quantity = Int64(try reader.u16())
            let unitPrice = try reader.i64()
            items.append(LineItem(sku: sku, quantity: quantity, unitPrice: unitPrice))
        }
        return PurchaseRecorded(
            orderID: orderID, amount: Money(minorUnits: amount, currency: currency), lineItems: items,
            channel: channel, store: "\(store)/\(terminal)/\(paymentMethod)")
    }

    private static func label(_ labels: [String], code: Int, field: String, index: Int) throws -> String {
        guard labels.indices.contains(code) else { throw BenchmarkError("event \(index) has the unknown \(field) code \(code)") }
        return labels[code]
    }
}

/// A bounds-checked little-endian reader over the bytes of a workload file.
struct LittleEndianReader {
    let buffer: UnsafeRawBufferPointer
    let path: String
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer, path: String) {
        self.buffer = buffer
        self.path = path
    }

    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= buffer.count - offset else {
            throw BenchmarkError("'\(path)' is truncated: a field of \(count) bytes runs past the end of its record")
        }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
        offset += count
        return slice
    }

    mutating func u8() throws -> UInt8 { try bytes(1)[0] }
    mutating func u16() throws -> UInt16 { UInt16(littleEndian: try bytes(2).loadUnaligned(as: UInt16.self)) }
    mutating func u32() throws -> UInt32 { UInt32(littleEndian: try bytes(4).loadUnaligned(as: UInt32.self)) }
    mutating func u64() throws -> UInt64 { UInt64(littleEndian: try bytes(8).loadUnaligned(as: UInt64.self)) }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }

    /// Reads a `u8` byte count and that many UTF-8 bytes.
    mutating func string() throws -> String {
        let count = Int(try u8())
        return String(decoding: try bytes(count), as: UTF8.self)
    }
}
