import CustomerLedger
import Foundation

/// Reading of event payloads from the JSON that ``Formatting/json(_:)-(EventPayload)`` writes,
/// with exactly the keys it writes.
///
/// The fields that hold personal data are read with ``DocumentField/withholdingValue()``, so an
/// error names the line, the field and what was expected, but never the value.
enum EventPayloadJSON {
    static let profileKeys = ["name", "phone", "email", "birthday", "province", "city", "address"]

    static func read(_ field: DocumentField, type: EventType) throws(ProgramDocumentError) -> EventPayload {
        switch type {
        case .customerRegistered:
            let object = try field.object(keys: profileKeys + ["referrer"])
            let referrer = try object.required("referrer")
            let birthday = try object.required("birthday").withholdingValue()
            let profile = CustomerProfile(
                name: try object.personalText("name"), phone: try object.personalText("phone"),
                email: try object.personalText("email"), birthday: birthday.isNull ? nil : try birthday.date(),
                province: try object.text("province"), city: try object.text("city"),
                address: try object.personalText("address"))
            return .customerRegistered(
                CustomerRegistered(profile: profile, referrer: referrer.isNull ? nil : try referrer.customerID()))

        case .profileUpdated:
            let object = try field.object(keys: profileKeys)
            var changes = ProfileChanges()
            if let name = object["name"] { changes.name = try name.withholdingValue().string(expected: "a string") }
            if let phone = object["phone"] { changes.phone = try phone.withholdingValue().string(expected: "a string") }
            if let email = object["email"] { changes.email = try email.withholdingValue().string(expected: "a string") }
            if let birthday = object["birthday"] { changes.birthday = try birthday.withholdingValue().date() }
            if let province = object["province"] { changes.province = try province.string(expected: "a string") }
            if let city = object["city"] { changes.city = try city.string(expected: "a string") }
            if let address = object["address"] { changes.address = try address.withholdingValue().string(expected: "a string") }
            return .profileUpdated(ProfileUpdated(changes: changes))

        case .purchaseRecorded:
            let object = try field.object(keys: ["order_id", "amount", "line_items", "channel", "store"])
            var lineItems: [LineItem] = []
            for element in try object.required("line_items").elements(expected: "an array of line items") {
                let item = try element.object(keys: ["sku", "quantity", "unit_price", "category"])
                lineItems.append(
                    LineItem(
                        sku: try item.text("sku"), quantity: try item.required("quantity").signed(),
                        unitPrice: try item.required("unit_price").signed(), category: try item.text("category")))
            }
            return .purchaseRecorded(
                PurchaseRecorded(
                    orderID: try object.text("order_id"), amount: try object.required("amount").money(),
                    lineItems: lineItems, channel: try object.text("channel"), store: try object.text("store")))

        case .refundRecorded:
            let object = try field.object(keys: ["order_id", "amount", "reason"])
            return .refundRecorded(
                RefundRecorded(
                    orderID: try object.text("order_id"), amount: try object.required("amount").money(),
                    reason: try object.text("reason")))

        case .pointsRedeemed:
            let object = try field.object(keys: ["points", "reward", "order_id"])
            return .pointsRedeemed(
                PointsRedeemed(
                    points: try object.required("points").signed(), reward: try object.text("reward"),
                    orderID: try object.text("order_id")))

        case .pointsAdjusted:
            let object = try field.object(keys: ["points", "reason"])
            return .pointsAdjusted(
                PointsAdjusted(points: try object.required("points").signed(), reason: try object.text("reason")))

        case .feedbackRecorded:
            let object = try field.object(keys: ["channel", "rating", "complaint", "text"])
            let channels = FeedbackRecorded.Channel.allCases.map { ($0.description, $0) }
            return .feedbackRecorded(
                FeedbackRecorded(
                    channel: try object.required("channel").choice(channels),
                    rating: Int(try object.required("rating").unsigned(in: 0...UInt64(UInt8.max))),
                    isComplaint: try object.required("complaint").bool(), text: try object.personalText("text")))

        case .programDefined, .programChanged:
            let object = try field.object(keys: ["effective_from", "program"])
            let programField = try object.required("program")
            let version = ProgramVersion(
                effectiveFrom: try object.required("effective_from").timestamp(),
                program: try ProgramDocument.parse(programField.value, path: programField.path))
            return type == .programDefined ? .programDefined(version) : .programChanged(version)

        case .tierAssigned:
            let object = try field.object(keys: ["tier", "reason", "until"])
            let until = try object.required("until")
            return .tierAssigned(
                TierAssigned(
                    tier: try object.text("tier"), reason: try object.text("reason"),
                    until: until.isNull ? nil : try until.timestamp()))

        case .pointsExpired:
            let object = try field.object(keys: ["points", "lot"])
            return .pointsExpired(
                PointsExpired(
                    points: try object.required("points").signed(),
                    lot: UInt32(try object.required("lot").unsigned(in: 0...UInt64(UInt32.max)))))

        case .rewardGranted:
            let object = try field.object(keys: ["kind", "key", "points"])
            let kinds: [(String, RewardGranted.Kind)] = [("referrer", .referrer), ("referred", .referred), ("birthday", .birthday)]
            return .rewardGranted(
                RewardGranted(
                    kind: try object.required("kind").choice(kinds), key: try object.text("key"),
                    points: try object.required("points").signed()))

        case .customerErased:
            let object = try field.object(keys: ["reason"])
            return .customerErased(CustomerErased(reason: try object.text("reason")))
        }
    }
}

extension DocumentObject {
    /// Reads the required string member `key`.
    func text(_ key: String) throws(ProgramDocumentError) -> String {
        try required(key).string(expected: "a string, empty for none")
    }

    /// Reads the required string member `key`, which contains personal data that errors never show.
    func personalText(_ key: String) throws(ProgramDocumentError) -> String {
        try required(key).withholdingValue().string(expected: "a string, empty for none")
    }
}

extension DocumentField {
    /// Reads an integer in `range`, written without a sign, fraction or exponent.
    func unsigned(in range: ClosedRange<UInt64> = 0...UInt64.max) throws(ProgramDocumentError) -> UInt64 {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard case .number(let text) = value, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw typeError(expected: expected)
        }
        guard let number = UInt64(text), range.contains(number) else {
            throw error("\(text) is out of range; expected \(expected)")
        }
        return number
    }

    /// Reads an integer of `Int64`, written without a fraction or exponent.
    func signed() throws(ProgramDocumentError) -> Int64 {
        guard case .number(let text) = value, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            throw typeError(expected: "an integer")
        }
        guard let number = Int64(text) else {
            throw error("\(text) is out of range; expected an integer from \(Int64.min) to \(Int64.max)")
        }
        return number
    }

    func bool() throws(ProgramDocumentError) -> Bool {
        guard case .bool(let flag) = value else { throw typeError(expected: "true or false") }
        return flag
    }

    func customerID() throws(ProgramDocumentError) -> CustomerID {
        CustomerID(try unsigned(in: 1...UInt64.max))!
    }

    /// Reads a UUID in its lowercase form with hyphens, as the export writes it.
    func uuid() throws(ProgramDocumentError) -> UUID {
        let text = try string(expected: "a UUID such as \"0190a8f2-7c1e-7d3a-9b4c-2e5f6a7b8c9d\"")
        guard let parsed = UUID(uuidString: text), parsed.uuidString.lowercased() == text else {
            throw typeError(expected: "a lowercase UUID such as \"0190a8f2-7c1e-7d3a-9b4c-2e5f6a7b8c9d\"")
        }
        return parsed
    }

    func optionalUUID() throws(ProgramDocumentError) -> UUID? {
        isNull ? nil : try uuid()
    }

    /// Reads an instant in UTC: `YYYY-MM-DDTHH:MM:SS`, up to six fraction digits, then `Z`.
    func timestamp() throws(ProgramDocumentError) -> Timestamp {
        let expected = "a UTC time such as \"2024-03-01T08:30:00.000000Z\""
        let text = try string(expected: expected)
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8[10] == UInt8(ascii: "T"), utf8.last == UInt8(ascii: "Z"),
            let instant = Timestamp(parsing: text)
        else { throw typeError(expected: expected) }
        return instant
    }

    func date() throws(ProgramDocumentError) -> CivilDate {
        let text = try string(expected: "a date such as \"1990-03-15\"")
        guard let date = CivilDate(parsing: text) else { throw typeError(expected: "a date such as \"1990-03-15\"") }
        return date
    }

    /// Reads `{"minor_units": N, "currency": "CNY"}`.
    func money() throws(ProgramDocumentError) -> Money {
        let object = try object(keys: ["minor_units", "currency"])
        let currencyField = try object.required("currency")
        let code = try currencyField.string(expected: "a currency code such as \"CNY\"")
        guard let currency = Currency(code) else {
            throw currencyField.typeError(expected: "three uppercase letters such as \"CNY\"")
        }
        return Money(minorUnits: try object.required("minor_units").signed(), currency: currency)
    }

    /// Reads a chain hash: 64 lowercase hex digits.
    func chainHash() throws(ProgramDocumentError) -> String {
        let text = try string(expected: "64 lowercase hex digits")
        guard text.utf8.count == 64, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { throw typeError(expected: "64 lowercase hex digits") }
        return text
    }

    /// Reads bytes written as lowercase hex digits, two per byte.
    func hexBytes() throws(ProgramDocumentError) -> [UInt8] {
        let text = try string(expected: "lowercase hex digits, two per byte")
        let digits = Array(text.utf8)
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 0x30...0x39: digit - 0x30
            case 0x61...0x66: digit - 0x61 + 10
            default: nil
            }
        }
        guard digits.count % 2 == 0 else { throw typeError(expected: "lowercase hex digits, two per byte") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else {
                throw typeError(expected: "lowercase hex digits, two per byte")
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// Reads a type name, such as `PurchaseRecorded`, or `unknown-N` for a type code this version does not name.
    func typeCode() throws(ProgramDocumentError) -> UInt16 {
        let expected = "an event type such as \"PurchaseRecorded\", or \"unknown-N\""
        let text = try string(expected: expected)
        if let type = EventType(name: text) { return type.rawValue }
        guard text.hasPrefix(EventJSONLines.unknownTypePrefix),
            let code = UInt16(text.dropFirst(EventJSONLines.unknownTypePrefix.count)),
            String(code) == text.dropFirst(EventJSONLines.unknownTypePrefix.count)
        else { throw typeError(expected: expected) }
        guard EventType(rawValue: code) == nil else {
            throw error("type code \(code) is \(EventType(rawValue: code)!); write its name")
        }
        return code
    }
}
