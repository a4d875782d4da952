import CustomerLedger

/// An invalid program document. The message starts with the JSON path of the offending value,
/// such as `tiers.ladder[2].min_net_spend`, or with the line and column of a JSON syntax error.
struct ProgramDocumentError: Error, Equatable, CustomStringConvertible {
    let description: String
    /// The JSON path of the offending value, or empty for the whole document and a syntax error.
    let path: String
    /// The message without the path.
    let reason: String

    /// Creates an error about the value at `path`. An empty path stands for the whole document.
    init(path: String, reason: String) {
        description = (path.isEmpty ? "the document" : path) + ": " + reason
        self.path = path
        self.reason = reason
    }

    init(_ syntaxError: JSONSyntaxError) {
        description = syntaxError.description
        path = ""
        reason = syntaxError.description
    }
}

extension ProgramDocument {
    /// Parses a program document. It checks the format only: keys, types, amounts and
    /// multipliers. Call ``LoyaltyProgram/validate()`` on the result for the program's own rules.
    static func parse(_ bytes: [UInt8]) throws(ProgramDocumentError) -> LoyaltyProgram {
        let root: ParsedJSON
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ProgramDocumentError(error)
        }
        return try parse(root, path: "")
    }

    /// Parses a program document that is already JSON, such as the value of a key in another
    /// document. Errors name paths below `path`, which is empty for a document of its own.
    static func parse(_ root: ParsedJSON, path: String) throws(ProgramDocumentError) -> LoyaltyProgram {
        let document = try DocumentField(value: root, path: path).object(keys: topLevelKeys)

        let currencyField = try document.required("currency")
        let code = try currencyField.string(expected: "an ISO 4217 currency code such as \"CNY\"")
        guard let currency = Currency(code) else {
            throw currencyField.error("\(describe(currencyField.value)) is not a currency code; expected three uppercase letters such as \"CNY\"")
        }
        var program = LoyaltyProgram(currency: currency)

        if let field = document["time_zone"] {
            program.timeZone = try field.string(expected: "an IANA time zone name such as \"Asia/Shanghai\"")
        }
        if let field = document["earning"] { try readEarning(field, into: &program) }
        if let field = document["pending_days"] { program.pendingDays = try field.integer(in: periodDaysRange) }
        if let field = document["expiry"] { program.expiry = try readExpiry(field) }
        if let field = document["refunds"] {
            let refunds = try field.object(keys: ["when_points_spent"])
            if let field = refunds["when_points_spent"] { program.refundShortfall = try field.choice(refundShortfalls) }
        }
        if let field = document["redemption"] {
            let redemption = try field.object(keys: ["minimum_points", "max_balance_percent", "max_order_percent"])
            if let field = redemption["minimum_points"] { program.redemption.minimumPoints = try field.nonNegativeInteger() }
            if let field = redemption["max_balance_percent"] { program.redemption.maximumBalancePercent = try field.integer(in: percentRange) }
            if let field = redemption["max_order_percent"] { program.redemption.maximumOrderPercent = try field.integer(in: percentRange) }
        }
        if let field = document["point_value"] {
            let value = try field.object(keys: ["points", "amount"])
            if let field = value["points"] { program.pointValue.points = try field.integer(in: positiveRange) }
            if let field = value["amount"] { program.pointValue.minorUnits = try field.amount(currency, maximum: maximumPointValueAmount) }
        }
        if let field = document["tiers"] { try readTiers(field, into: &program) }
        if let field = document["rewards"] { try readRewards(field, into: &program) }
        return program
    }

    private static func readEarning(_ field: DocumentField, into program: inout LoyaltyProgram) throws(ProgramDocumentError) {
        let earning = try field.object(keys: earningKeys)
        if let field = earning["points_per_unit"] { program.pointsPerUnit = try field.integer(in: pointsPerUnitRange) }
        if let field = earning["scope"] { program.earningScope = try field.choice(scopes) }
        if let field = earning["rounding"] { program.rounding = try field.choice(roundings) }
        if let field = earning["minimum_order_amount"] {
            program.minimumOrderAmount = try field.amount(program.currency, maximum: maximumMinimumOrderAmount)
        }
        if let field = earning["multipliers"] {
            let multipliers = try field.object(keys: ["sku", "category"])
            if let field = multipliers["sku"] { program.skuMultipliers = try readMultiplierTable(field) }
            if let field = multipliers["category"] { program.categoryMultipliers = try readMultiplierTable(field) }
        }
        if let field = earning["max_points_per_order"] { program.maximumPointsPerOrder = try field.optionalNonNegativeInteger() }
        if let field = earning["max_points_per_day"] { program.maximumPointsPerDay = try field.optionalNonNegativeInteger() }
    }

    private static func readMultiplierTable(_ field: DocumentField) throws(ProgramDocumentError) -> [String: Int64] {
        var table: [String: Int64] = [:]
        for entry in try field.object(keys: nil).fields {
            table[entry.key] = try entry.field.multiplier()
        }
        return table
    }

    private static func readExpiry(_ field: DocumentField) throws(ProgramDocumentError) -> LoyaltyProgram.Expiry {
        let (kind, days) = try field.kind([
            ("never", nil), ("end-of-month", nil), ("end-of-year", nil), ("after-days", "days"),
        ])
        switch kind {
        case "end-of-month": return .endOfMonth
        case "end-of-year": return .endOfYear
        case "after-days": return .afterDays(try days!.integer(in: longPeriodDaysRange))
        default: return .never
        }
    }

    private static func readTiers(_ field: DocumentField, into program: inout LoyaltyProgram) throws(ProgramDocumentError) {
        let tiers = try field.object(keys: ["window", "downgrade_grace_days", "ladder"])
        if let field = tiers["window"] {
            let (kind, length) = try field.kind([
                ("rolling-days", "days"), ("rolling-months", "months"), ("calendar-year", nil), ("lifetime", nil),
            ])
            switch kind {
            case "rolling-days": program.tierWindow = .rollingDays(try length!.integer(in: longPeriodDaysRange))
            case "rolling-months": program.tierWindow = .rollingMonths(try length!.integer(in: windowMonthsRange))
            case "calendar-year": program.tierWindow = .calendarYear
            default: program.tierWindow = .lifetime
            }
        }
        if let field = tiers["downgrade_grace_days"] { program.downgradeGraceDays = try field.integer(in: periodDaysRange) }
        if let field = tiers["ladder"] {
            program.tiers = []
            for element in try field.elements(expected: "an array of tiers, lowest first") {
                program.tiers.append(try readTierRule(element, currency: program.currency))
            }
        }
    }

    private static func readTierRule(_ field: DocumentField, currency: Currency) throws(ProgramDocumentError) -> TierRule {
        let entry = try field.object(keys: tierRuleKeys)
        var rule = TierRule(name: try entry.required("name").string(expected: "the tier's name"))
        if let field = entry["min_net_spend"] { rule.minimumNetSpend = try field.amount(currency) }
        if let field = entry["min_purchases"] { rule.minimumPurchases = try field.nonNegativeInteger() }
        if let field = entry["min_tenure_days"] { rule.minimumTenureDays = try field.nonNegativeInteger() }
        if let field = entry["min_points_earned"] { rule.minimumPointsEarned = try field.nonNegativeInteger() }
        if let field = entry["multiplier"] { rule.multiplier = try field.multiplier() }
        return rule
    }

    private static func readRewards(_ field: DocumentField, into program: inout LoyaltyProgram) throws(ProgramDocumentError) {
        let rewards = try field.object(keys: ["referral", "birthday", "offers"])
        if let field = rewards["referral"], !field.isNull {
            let referral = try field.object(keys: ["referrer_points", "new_customer_points"])
            program.referral = ReferralReward(
                referrerPoints: try referral.required("referrer_points").nonNegativeInteger(),
                newCustomerPoints: try referral.required("new_customer_points").nonNegativeInteger())
        }
        if let field = rewards["birthday"], !field.isNull {
            let birthday = try field.object(keys: ["points", "timing", "leap_day_in_common_years"])
            var reward = BirthdayReward(points: try birthday.required("points").nonNegativeInteger())
            if let field = birthday["timing"] { reward.timing = try field.choice(birthdayTimings) }
            if let field = birthday["leap_day_in_common_years"] { reward.leapDayInCommonYears = try field.choice(leapDayRules) }
            program.birthday = reward
        }
        if let field = rewards["offers"] {
            for element in try field.elements(expected: "an array of offers") {
                let offer = try element.object(keys: ["id", "name", "points", "eligible_tiers"])
                var eligibleTiers: [String] = []
                if let field = offer["eligible_tiers"] {
                    for tier in try field.elements(expected: "an array of tier names") {
                        eligibleTiers.append(try tier.string(expected: "a tier name"))
                    }
                }
                program.offers.append(
                    MemberOffer(
                        id: try offer.required("id").string(expected: "the offer's id"),
                        name: try offer.required("name").string(expected: "the offer's name"),
                        points: try offer.required("points").nonNegativeInteger(), eligibleTiers: eligibleTiers))
            }
        }
    }

    /// Shows a value in an error message: strings quoted and cut to 60 characters, numbers as
    /// written, arrays and objects by their kind.
    static func describe(_ value: ParsedJSON) -> String {
        switch value {
        case .null: return "null"
        case .bool(let bool): return String(bool)
        case .number(let text): return text
        case .string(let text): return JSONParser.quoted(text.count > 60 ? String(text.prefix(59)) + "…" : text)
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Names the kind of a value, such as `a string` or `a number`, without the value itself.
    static func describeKind(_ value: ParsedJSON) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A value of the document with its JSON path, and typed readers that name the path in errors.
struct DocumentField {
    let value: ParsedJSON
    let path: String
    /// True for a field that contains personal data, whose errors name the kind of value but never the value.
    var withholdsValue = false

    var isNull: Bool { value == .null }

    /// The value as error messages show it, or only its kind for a field that contains personal data.
    var describedValue: String {
        guard withholdsValue else { return ProgramDocument.describe(value) }
        return ProgramDocument.describeKind(value) + ", not shown because the field contains personal data"
    }

    /// Returns this field marked as containing personal data, so that its errors never show the value.
    func withholdingValue() -> DocumentField {
        var field = self
        field.withholdsValue = true
        return field
    }

    func error(_ reason: String) -> ProgramDocumentError {
        ProgramDocumentError(path: path, reason: reason)
    }

    func typeError(expected: String) -> ProgramDocumentError {
        error("expected \(expected), got \(describedValue)")
    }

    /// Returns the members of an object. With `keys`, a member with any other key is an error.
    func object(keys: [String]?) throws(ProgramDocumentError) -> DocumentObject {
        guard case .object(let members) = value else { throw typeError(expected: "an object") }
        if let keys {
            for member in members where !keys.contains(member.key) {
                throw ProgramDocumentError(
                    path: Self.path(path, key: member.key),
                    reason: "unknown key; expected one of " + keys.joined(separator: ", "))
            }
        }
        return DocumentObject(path: path, members: members)
    }

    func elements(expected: String) throws(ProgramDocumentError) -> [DocumentField] {
        guard case .array(let elements) = value else { throw typeError(expected: expected) }
        return elements.enumerated().map { DocumentField(value: $1, path: "\(path)[\($0)]") }
    }

    func string(expected: String) throws(ProgramDocumentError) -> String {
        guard case .string(let text) = value else { throw typeError(expected: expected) }
        return text
    }

    /// Reads an integer in `range`, written without a fraction or exponent.
    func integer(in range: ClosedRange<Int64>) throws(ProgramDocumentError) -> Int64 {
        let expected =
            range.upperBound == Int64.max
            ? "an integer of \(range.lowerBound) or more" : "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard case .number(let text) = value else { throw typeError(expected: expected) }
        guard let parsed = Int64(text) else {
            let isInteger = text.allSatisfy { $0 == "-" || $0.isASCII && $0.isNumber }
            // JSON allows 1e2 and 100.0 for 100, which a program file rejects, so the message gives the reason.
            throw isInteger && !text.hasPrefix("-") && range.upperBound == Int64.max
                ? error("\(text) is out of range; expected at most \(Int64.max)")
                : typeError(expected: isInteger ? expected : expected + " written in digits, without a fraction or exponent")
        }
        guard range.contains(parsed) else { throw typeError(expected: expected) }
        return parsed
    }

    /// Reads an integer from 0 to `Int64.max`, written without a fraction or exponent.
    func nonNegativeInteger() throws(ProgramDocumentError) -> Int64 {
        try integer(in: ProgramDocument.nonNegativeRange)
    }

    /// Reads a non-negative integer, or nil for `null`.
    func optionalNonNegativeInteger() throws(ProgramDocumentError) -> Int64? {
        switch value {
        case .null: return nil
        case .number: return try nonNegativeInteger()
        default: throw typeError(expected: "an integer of 0 or more, or null for no limit")
        }
    }

    /// Reads an amount of `currency` written as a decimal string, such as `"12.50"`, in minor
    /// units of at most `maximum`.
    func amount(_ currency: Currency, maximum: Int64 = .max) throws(ProgramDocumentError) -> Int64 {
        let digits = currency.minorUnitDigits
        let example = digits == 0 ? "1250" : "12." + "50".padding(toLength: digits, withPad: "0", startingAt: 0)
        let expected = "a decimal string in \(currency.code) such as \"\(example)\""
        guard case .string(let text) = value else { throw typeError(expected: expected) }
        switch DecimalText.parse(text, decimals: digits) {
        case .success(let minorUnits) where minorUnits <= maximum:
            return minorUnits
        case .success, .failure(.overflow):
            throw error(
                "\(describedValue) is too large; the largest amount is "
                    + "\(Money(minorUnits: maximum, currency: currency).decimalText) \(currency.code)")
        case .failure(.negative):
            throw error("\(describedValue) is negative; amounts must be 0 or more")
        case .failure(.malformed):
            throw typeError(expected: expected)
        case .failure(.tooManyDecimals):
            throw error("\(describedValue) has more decimals than \(currency.code) allows (\(digits))")
        }
    }

    /// Reads a multiplier written as an integer, such as `2`, or a decimal string with at most
    /// three decimals, such as `"1.5"`, in thousandths.
    func multiplier() throws(ProgramDocumentError) -> Int64 {
        let expected = "a multiplier such as \"1.5\" or 2"
        let result: Result<Int64, DecimalText.Failure>
        switch value {
        case .string(let text):
            result = DecimalText.parse(text, decimals: 3)
        case .number(let text) where !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }):
            result = DecimalText.parse(text, decimals: 3)
        case .number:
            throw error(
                "\(describedValue) is not an integer; write fractional multipliers as decimal strings such as \"1.5\", which are read exactly")
        default:
            throw typeError(expected: expected)
        }
        switch result {
        case .success(let thousandths) where thousandths <= LoyaltyProgram.maximumMultiplier:
            return thousandths
        case .success, .failure(.overflow):
            throw error(
                "\(describedValue) is too large; multipliers are at most \(LoyaltyProgram.maximumMultiplier / 1000)")
        case .failure(.negative):
            throw error("\(describedValue) is negative; multipliers must be 0 or more")
        case .failure(.malformed):
            throw typeError(expected: expected)
        case .failure(.tooManyDecimals):
            throw error("\(describedValue) has more than 3 decimals; multipliers are stored in thousandths")
        }
    }

    /// Reads one of the named values.
    func choice<Value>(_ names: [(String, Value)]) throws(ProgramDocumentError) -> Value {
        let expected = "one of " + names.map { JSONParser.quoted($0.0) }.joined(separator: ", ")
        guard case .string(let text) = value else { throw typeError(expected: expected) }
        guard let match = names.first(where: { $0.0 == text }) else { throw typeError(expected: expected) }
        return match.1
    }

    /// Reads a kind written either as a string, such as `"lifetime"`, or as an object with a
    /// `kind` key, such as `{"kind": "rolling-days", "days": 365}`. A kind with a parameter needs
    /// the object form, and the caller reads the returned parameter field with its own range.
    func kind(_ kinds: [(name: String, parameter: String?)]) throws(ProgramDocumentError) -> (String, DocumentField?) {
        let names = kinds.map { JSONParser.quoted($0.name) }.joined(separator: ", ")
        switch value {
        case .string(let name):
            guard let kind = kinds.first(where: { $0.name == name }) else {
                throw typeError(expected: "one of \(names)")
            }
            if let parameter = kind.parameter {
                throw error(
                    "\(JSONParser.quoted(name)) needs a number of \(parameter); write {\"kind\": \(JSONParser.quoted(name)), \"\(parameter)\": N}")
            }
            return (name, nil)
        case .object:
            let parameters = kinds.compactMap(\.parameter)
            let members = try object(keys: ["kind"] + Set(parameters).sorted())
            let kindField = try members.required("kind")
            guard case .string(let name) = kindField.value, let kind = kinds.first(where: { $0.name == name }) else {
                throw kindField.typeError(expected: "one of \(names)")
            }
            for other in parameters where other != kind.parameter {
                if let field = members[other] {
                    throw field.error("unknown key for kind \(JSONParser.quoted(name)); remove it")
                }
            }
            guard let parameter = kind.parameter else { return (name, nil) }
            return (name, try members.required(parameter))
        default:
            throw typeError(expected: "one of \(names), or an object with \"kind\"")
        }
    }

    /// Returns the path of the member `key` of the object at `path`: `tiers.window` for a
    /// plain key, `earning.multipliers.sku["TEA-1"]` for any other.
    static func path(_ path: String, key: String) -> String {
        let isPlain = key.first.map { $0.isASCII && ($0.isLetter || $0 == "_") } == true
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        guard isPlain else { return path + "[" + JSONParser.quoted(key) + "]" }
        return path.isEmpty ? key : path + "." + key
    }
}

/// The members of an object of the document.
struct DocumentObject {
    let path: String
    let members: [(key: String, value: ParsedJSON)]

    /// The member `key`, or nil when the object lacks it.
    subscript(key: String) -> DocumentField? {
        members.first { $0.key == key }.map { DocumentField(value: $0.value, path: DocumentField.path(path, key: key)) }
    }

    func required(_ key: String) throws(ProgramDocumentError) -> DocumentField {
        guard let field = self[key] else {
            throw ProgramDocumentError(path: DocumentField.path(path, key: key), reason: "required key is missing")
        }
        return field
    }

    var fields: [(key: String, field: DocumentField)] {
        members.map { ($0.key, DocumentField(value: $0.value, path: DocumentField.path(path, key: $0.key))) }
    }
}

/// Exact parsing of decimal text into an integer count of 10^-decimals, without floating point.
enum DecimalText {
    enum Failure: Error {
        case malformed
        case negative
        case tooManyDecimals
        case overflow
    }

    /// Parses digits with an optional decimal point and at most `decimals` digits after it, such
    /// as `12.5` with 2 decimals as 1250. A leading `-` followed by a valid number is `.negative`.
    static func parse(_ text: String, decimals: Int) -> Result<Int64, Failure> {
        var bytes = Array(text.utf8)
        var isNegative = false
        if bytes.first == UInt8(ascii: "-") {
            isNegative = true
            bytes.removeFirst()
        }
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = bytes[..<(point ?? bytes.endIndex)]
        let fraction = point.map { bytes[($0 + 1)...] } ?? []
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard !whole.isEmpty, whole.allSatisfy(isDigit), fraction.allSatisfy(isDigit), point == nil || !fraction.isEmpty
        else {
            return .failure(.malformed)
        }
        if isNegative { return .failure(.negative) }
        guard fraction.count <= decimals else { return .failure(.tooManyDecimals) }

        var value: Int64 = 0
        let padding = [UInt8](repeating: UInt8(ascii: "0"), count: decimals - fraction.count)
        for byte in Array(whole) + Array(fraction) + padding {
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, summedPastMaximum) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowed, !summedPastMaximum else { return .failure(.overflow) }
            value = sum
        }
        return .success(value)
    }
}
