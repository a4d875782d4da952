import CustomerLedger
import Foundation
import Testing
@testable import LedgerCommandLine

/// Returns a program that sets every field to something other than its default.
private func fullProgram() -> LoyaltyProgram {
    var program = LoyaltyProgram(currency: .cny)
    program.timeZone = "Asia/Shanghai"
    program.pointsPerUnit = 2
    program.rounding = .halfUp
    program.minimumOrderAmount = 1_050
    program.skuMultipliers = ["TEA-1": 1_500, "CUP.2": 5, "茶壶": 100_000]
    program.categoryMultipliers = ["tea": 2_000, "gifts": 0]
    program.maximumPointsPerOrder = 1_000
    program.maximumPointsPerDay = 500

    program.pendingDays = 14
    program.expiry = .afterDays(365)
    program.refundShortfall = .clampAtZero
    program.redemption = RedemptionRules(minimumPoints: 100, maximumBalancePercent: 80, maximumOrderPercent: 50)
    program.pointValue = PointValue(points: 100, minorUnits: 150)

    program.tierWindow = .rollingMonths(12)
    program.downgradeGraceDays = 30
    program.tiers = [
        TierRule(name: "ordinary"),
        TierRule(name: "银卡", minimumNetSpend: 100_000, minimumPurchases: 2, multiplier: 1_250),
        TierRule(
            name: "VIP", minimumNetSpend: 500_000, minimumPurchases: 4, minimumTenureDays: 180, minimumPointsEarned: 3_000,
            multiplier: 1_500),
    ]

    program.referral = ReferralReward(referrerPoints: 200, newCustomerPoints: 100)
    program.birthday = BirthdayReward(points: 300, timing: .inMonth, leapDayInCommonYears: .march1)
    program.offers = [
        MemberOffer(id: "TEA-SET", name: "Tea set \"gift\"", points: 800, eligibleTiers: ["VIP", "银卡"]),
        MemberOffer(id: "FREE-CUP", name: "Cup", points: 0),
    ]
    return program
}

/// Writes `program` as JSON text and parses it back.
private func roundTrip(_ program: LoyaltyProgram, style: JSONWriter.Style = .pretty) throws -> LoyaltyProgram {
    let text = JSONWriter(style: style).string(for: ProgramDocument.json(program))
    return try ProgramDocument.parse(Array(text.utf8))
}

/// Parses `text` and returns the error message, or nil when it parses.
private func parseError(_ text: String) -> String? {
    do {
        _ = try ProgramDocument.parse(Array(text.utf8))
        return nil
    } catch {
        return error.description
    }
}

@Suite("program document")
struct ProgramDocumentTests {
    @Test(arguments: [JSONWriter.Style.pretty, .compact])
    func defaultProgramRoundTrips(style: JSONWriter.Style) throws {
        for currency in [Currency.cny, .usd, Currency("JPY")!, Currency("KWD")!] {
            let program = LoyaltyProgram(currency: currency)
            #expect(try roundTrip(program, style: style) == program)
        }
    }

    @Test(arguments: [JSONWriter.Style.pretty, .compact])
    func fullProgramRoundTrips(style: JSONWriter.Style) throws {
        let program = fullProgram()
        try program.validate()
        #expect(try roundTrip(program, style: style) == program)
    }

    @Test func everyExpiryAndWindowRoundTrips() throws {
        let expiries: [LoyaltyProgram.Expiry] = [.never, .afterDays(1), .endOfMonth, .endOfYear]
        let windows: [LoyaltyProgram.TierWindow] = [.rollingDays(30), .rollingMonths(6), .calendarYear, .lifetime]
        for expiry in expiries {
            for window in windows {
                var program = fullProgram()
                program.expiry = expiry
                program.tierWindow = window
                #expect(try roundTrip(program) == program, "expiry \(expiry), window \(window)")
            }
        }
    }

    @Test func everyEnumerationRoundTrips() throws {
        var program = fullProgram()
        for rounding in LoyaltyProgram.Rounding.allCases {
            program.rounding = rounding
            #expect(try roundTrip(program) == program)
        }
        program.refundShortfall = .allowNegative
        program.birthday = BirthdayReward(points: 1, timing: .onDay, leapDayInCommonYears: .february28)
        #expect(try roundTrip(program) == program)

        var cumulative = LoyaltyProgram(currency: .usd, earningScope: .cumulative)
        cumulative.referral = nil
        cumulative.birthday = nil
        #expect(try roundTrip(cumulative) == cumulative)
    }

    @Test func writtenDocumentReadsAsDocumented() {
        let text = JSONWriter(style: .compact).string(for: ProgramDocument.json(fullProgram()))
        #expect(text.hasPrefix(#"{"currency":"CNY","time_zone":"Asia/Shanghai","earning":{"points_per_unit":2,"#))
        #expect(text.contains(#""minimum_order_amount":"10.50""#))
        #expect(text.contains(#""multipliers":{"sku":{"CUP.2":"0.005","TEA-1":"1.5","茶壶":"100"},"category":{"gifts":"0","tea":"2"}}"#))
        #expect(text.contains(#""expiry":{"kind":"after-days","days":365}"#))
        #expect(text.contains(#""refunds":{"when_points_spent":"clamp-at-zero"}"#))
        #expect(text.contains(#""point_value":{"points":100,"amount":"1.50"}"#))
        #expect(text.contains(#""window":{"kind":"rolling-months","months":12}"#))
        #expect(text.contains(
            #"{"name":"VIP","min_net_spend":"5000.00","min_purchases":4,"min_tenure_days":180,"min_points_earned":3000,"multiplier":"1.5"}"#))
        #expect(text.contains(#""birthday":{"points":300,"timing":"in-month","leap_day_in_common_years":"march-1"}"#))
    }

    @Test func currencyAloneTakesDefaults() throws {
        #expect(try ProgramDocument.parse(Array(#"{"currency":"CNY"}"#.utf8)) == LoyaltyProgram(currency: .cny))
        let dollars = try ProgramDocument.parse(Array(#"{"currency": "USD"}"#.utf8))
        #expect(dollars == LoyaltyProgram(currency: .usd))
        #expect(dollars.tiers[1].minimumNetSpend == 10_000)
    }

    @Test func omittedNestedKeysTakeDefaults() throws {
        let program = try ProgramDocument.parse(Array(
            #"""
            {"currency": "CNY", "earning": {"scope": "cumulative"}, "redemption": {"max_order_percent": 50},
             "tiers": {"ladder": [{"name": "member"}, {"name": "gold", "min_purchases": 3}]},
             "rewards": {"birthday": {"points": 10}, "referral": null}}
            """#.utf8))
        var expected = LoyaltyProgram(currency: .cny, earningScope: .cumulative)
        expected.redemption.maximumOrderPercent = 50
        expected.tiers = [TierRule(name: "member"), TierRule(name: "gold", minimumPurchases: 3)]
        expected.birthday = BirthdayReward(points: 10)
        #expect(program == expected)
    }

    @Test func documentedExampleParses() throws {
        let program = try ProgramDocument.parse(Array(
            #"""
            {"currency":"CNY","time_zone":"Asia/Shanghai",
             "earning":{"points_per_unit":1,"scope":"per-order","rounding":"floor","minimum_order_amount":"0.00",
                        "multipliers":{"sku":{"TEA-1":"1.5"},"category":{"tea":2}},
                        "max_points_per_order":null,"max_points_per_day":500},
             "pending_days":14,"expiry":{"kind":"end-of-month"},"refunds":{"when_points_spent":"clamp-at-zero"},
             "redemption":{"minimum_points":100,"max_balance_percent":100,"max_order_percent":50},
             "point_value":{"points":100,"amount":"1.00"},
             "tiers":{"window":"calendar-year","downgrade_grace_days":30,
                      "ladder":[{"name":"ordinary"},
                                {"name":"VIP","min_net_spend":"5000.00","min_purchases":4,"min_tenure_days":180,
                                 "min_points_earned":0,"multiplier":"1.5"}]},
             "rewards":{"referral":{"referrer_points":200,"new_customer_points":100},
                        "birthday":{"points":300,"timing":"on-day","leap_day_in_common_years":"february-28"},
                        "offers":[{"id":"TEA-SET","name":"Tea set","points":800,"eligible_tiers":["VIP"]}]}}
            """#.utf8))
        try program.validate()
        #expect(program.skuMultipliers == ["TEA-1": 1_500])
        #expect(program.categoryMultipliers == ["tea": 2_000])
        #expect(program.maximumPointsPerOrder == nil)
        #expect(program.maximumPointsPerDay == 500)
        #expect(program.expiry == .endOfMonth)
        #expect(program.refundShortfall == .clampAtZero)
        #expect(program.pointValue == PointValue(points: 100, minorUnits: 100))
        #expect(program.tierWindow == .calendarYear)
        #expect(program.tiers[1] == TierRule(
            name: "VIP", minimumNetSpend: 500_000, minimumPurchases: 4, minimumTenureDays: 180, multiplier: 1_500))
        #expect(program.offers == [MemberOffer(id: "TEA-SET", name: "Tea set", points: 800, eligibleTiers: ["VIP"])])
    }

    @Test func parameterlessKindsAcceptObjectForm() throws {
        let program = try ProgramDocument.parse(Array(
            #"{"currency":"CNY","expiry":{"kind":"never"},"tiers":{"window":{"kind":"lifetime"}}}"#.utf8))
        #expect(program.expiry == .never)
        #expect(program.tierWindow == .lifetime)
    }

    @Test func amountsFollowCurrencyDigits() throws {
        let yen = try ProgramDocument.parse(Array(#"{"currency":"JPY","earning":{"minimum_order_amount":"1250"}}"#.utf8))
        #expect(yen.minimumOrderAmount == 1_250)
        let dinar = try ProgramDocument.parse(Array(#"{"currency":"KWD","point_value":{"amount":"0.125"}}"#.utf8))
        #expect(dinar.pointValue.minorUnits == 125)
        let yuan = try ProgramDocument.parse(Array(#"{"currency":"CNY","point_value":{"amount":"7.5"}}"#.utf8))
        #expect(yuan.pointValue.minorUnits == 750)
        let largest = try ProgramDocument.parse(
            Array(#"{"currency":"CNY","tiers":{"ladder":[{"name":"a"},{"name":"b","min_net_spend":"92233720368547758.07"}]}}"#.utf8))
        #expect(largest.tiers.last?.minimumNetSpend == Int64.max)
    }

    @Test func multiplierFormsAreExact() throws {
        let cases: [(String, Int64)] = [
            (#""1.5""#, 1_500), ("2", 2_000), (#""2""#, 2_000), (#""0.001""#, 1), (#""1.250""#, 1_250), ("0", 0),
        ]
        for (literal, thousandths) in cases {
            let program = try ProgramDocument.parse(
                Array(#"{"currency":"CNY","earning":{"multipliers":{"category":{"tea":\#(literal)}}}}"#.utf8))
            #expect(program.categoryMultipliers["tea"] == thousandths, "\(literal)")
        }
    }

    @Test func multiplierTextDropsTrailingZeros() {
        let cases: [(Int64, String)] = [(1_500, "1.5"), (1_000, "1"), (5, "0.005"), (0, "0"), (100_000, "100"), (1_250, "1.25")]
        for (thousandths, text) in cases {
            #expect(ProgramDocument.multiplierText(thousandths) == text)
        }
    }

    /// Lists the stored properties of each type the document covers, so that a new field fails
    /// here until ``ProgramDocument`` reads and writes it. `cachedCalendar` is derived from
    /// `timeZone` and has no key of its own.
    @Test func documentCoversEveryStoredProperty() {
        func labels(_ value: Any) -> Set<String> {
            Set(Mirror(reflecting: value).children.compactMap(\.label))
        }
        let program = fullProgram()
        #expect(labels(program).subtracting(["cachedCalendar"]) == [
            "currency", "timeZone", "pointsPerUnit", "earningScope", "rounding", "minimumOrderAmount", "skuMultipliers",
            "categoryMultipliers", "maximumPointsPerOrder", "maximumPointsPerDay", "pendingDays", "expiry",
            "refundShortfall", "redemption", "pointValue", "tierWindow", "downgradeGraceDays", "tiers", "referral",
            "birthday", "offers",
        ])
        #expect(labels(program.tiers[0]) == [
            "name", "minimumNetSpend", "minimumPurchases", "minimumTenureDays", "minimumPointsEarned", "multiplier",
        ])
        #expect(labels(program.redemption) == ["minimumPoints", "maximumBalancePercent", "maximumOrderPercent"])
        #expect(labels(program.pointValue) == ["points", "minorUnits"])
        #expect(labels(program.referral!) == ["referrerPoints", "newCustomerPoints"])
        #expect(labels(program.birthday!) == ["points", "timing", "leapDayInCommonYears"])
        #expect(labels(program.offers[0]) == ["id", "name", "points", "eligibleTiers"])
    }

    @Test func parsingLeavesProgramRulesToValidate() throws {
        let program = try ProgramDocument.parse(
            Array(#"{"currency":"CNY","earning":{"scope":"cumulative","max_points_per_day":5}}"#.utf8))
        #expect(program.maximumPointsPerDay == 5)
        #expect(
            throws: LedgerError.invalidProgram(
                "multipliers, caps and a minimum order amount need the per-order earning scope; the cumulative scope earns on lifetime net spend only")
        ) {
            try program.validate()
        }
    }

    /// Documents with one integer field set to `VALUE`, and the range that both the parser and
    /// `LoyaltyProgram.validate()` accept for it. Nil is no upper bound.
    static let integerRanges: [(template: String, lower: Int64, upper: Int64?)] = [
        (#"{"currency":"CNY","earning":{"points_per_unit":VALUE}}"#, 0, 1000),
        (#"{"currency":"CNY","pending_days":VALUE}"#, 0, 3650),
        (#"{"currency":"CNY","expiry":{"kind":"after-days","days":VALUE}}"#, 1, 36_500),
        (#"{"currency":"CNY","redemption":{"max_balance_percent":VALUE}}"#, 1, 100),
        (#"{"currency":"CNY","redemption":{"max_order_percent":VALUE}}"#, 1, 100),
        (#"{"currency":"CNY","point_value":{"points":VALUE}}"#, 1, nil),
        (#"{"currency":"CNY","tiers":{"window":{"kind":"rolling-days","days":VALUE}}}"#, 1, 36_500),
        (#"{"currency":"CNY","tiers":{"window":{"kind":"rolling-months","months":VALUE}}}"#, 1, 1200),
        (#"{"currency":"CNY","tiers":{"downgrade_grace_days":VALUE}}"#, 0, 3650),
    ]

    @Test(arguments: integerRanges)
    func integerRangeMatchesValidation(template: String, lower: Int64, upper: Int64?) throws {
        func document(_ value: Int64) -> [UInt8] {
            Array(template.replacingOccurrences(of: "VALUE", with: String(value)).utf8)
        }
        for bound in [lower, upper ?? Int64.max] {
            try ProgramDocument.parse(document(bound)).validate()
        }
        let range = upper.map { "from \(lower) to \($0)" } ?? "of \(lower) or more"
        #expect(parseError(String(decoding: document(lower - 1), as: UTF8.self))?.hasSuffix(
            "expected an integer \(range), got \(lower - 1)") == true)
        if let upper {
            #expect(parseError(String(decoding: document(upper + 1), as: UTF8.self))?.hasSuffix(
                "expected an integer \(range), got \(upper + 1)") == true)
        }
    }

    static let boundedValues: [(accepted: String, rejected: String, message: String)] = [
        (#"{"currency":"CNY","earning":{"minimum_order_amount":"10000000000000.00"}}"#,
         #"{"currency":"CNY","earning":{"minimum_order_amount":"10000000000000.01"}}"#,
         #"earning.minimum_order_amount: "10000000000000.01" is too large; the largest amount is 10000000000000.00 CNY"#),
        (#"{"currency":"CNY","point_value":{"amount":"10000000.00"}}"#,
         #"{"currency":"CNY","point_value":{"amount":"10000000.01"}}"#,
         #"point_value.amount: "10000000.01" is too large; the largest amount is 10000000.00 CNY"#),
        (#"{"currency":"CNY","earning":{"multipliers":{"sku":{"CD":100}}}}"#,
         #"{"currency":"CNY","earning":{"multipliers":{"sku":{"CD":"100.001"}}}}"#,
         #"earning.multipliers.sku.CD: "100.001" is too large; multipliers are at most 100"#),
        (#"{"currency":"CNY","tiers":{"ladder":[{"name":"a"},{"name":"b","min_purchases":1,"multiplier":"100.000"}]}}"#,
         #"{"currency":"CNY","tiers":{"ladder":[{"name":"a"},{"name":"b","min_purchases":1,"multiplier":101}]}}"#,
         "tiers.ladder[1].multiplier: 101 is too large; multipliers are at most 100"),
    ]

    @Test(arguments: boundedValues)
    func amountAndMultiplierLimitsMatchValidation(accepted: String, rejected: String, message: String) throws {
        try ProgramDocument.parse(Array(accepted.utf8)).validate()
        #expect(parseError(rejected) == message)
    }

    // MARK: Long lines

    /// Returns a minified document with `count` SKU multipliers on one line.
    static func minifiedDocument(skus count: Int, last: String = "") -> String {
        let skus = (0..<count).map { #""SKU-\#($0)":"1.5""# }.joined(separator: ",")
        return #"{"currency":"CNY","earning":{"multipliers":{"sku":{"# + skus + last + "}}}}"
    }

    /// Counting each key's column from the start of its line made a minified document quadratic
    /// to parse, so ten times the keys took about a hundred times as long. Linear parsing takes
    /// about ten times as long, and the fastest of three runs keeps other load out of the ratio.
    @Test func minifiedDocumentParsesInLinearTime() throws {
        func fastestParse(skus count: Int) throws -> Duration {
            let bytes = Array(Self.minifiedDocument(skus: count).utf8)
            let clock = ContinuousClock()
            var fastest = Duration.seconds(3_600)
            for _ in 0..<3 {
                let start = clock.now
                let program = try ProgramDocument.parse(bytes)
                fastest = min(fastest, clock.now - start)
                #expect(program.skuMultipliers.count == count)
            }
            return fastest
        }

        let small = try fastestParse(skus: 2_000)
        let large = try fastestParse(skus: 20_000)

        #expect(large < small * 40, "2,000 keys parsed in \(small), 20,000 keys in \(large)")
    }

    @Test func duplicateKeyFarAlongLineNamesColumn() {
        let text = Self.minifiedDocument(skus: 1000, last: #","SKU-7":"2""#)
        let column = text.unicodeScalars.count - #""SKU-7":"2"}}}}"#.unicodeScalars.count + 1
        #expect(
            parseError(text)
                == #"invalid JSON at line 1, column \#(column): key "SKU-7" appears twice in one object; keep only one of them"#)
    }

    // MARK: Errors

    static let syntaxErrors: [(String, String)] = [
        ("", "invalid JSON at line 1, column 1: the text is empty; expected a JSON value"),
        ("  \n ", "invalid JSON at line 2, column 2: the text is empty; expected a JSON value"),
        (#"{"currency":"CNY",}"#, #"invalid JSON at line 1, column 19: expected a key in double quotes, got '}'"#),
        ("{\"currency\":\"CNY\" // yuan\n}", "invalid JSON at line 1, column 19: expected ',' or '}' after the value of \"currency\", got '/'"),
        ("{\"currency\":\"CNY\",\n \"currency\":\"USD\"}", #"invalid JSON at line 2, column 2: key "currency" appears twice in one object; keep only one of them"#),
        (#"{"currency":"CNY"} x"#, "invalid JSON at line 1, column 20: unexpected 'x' after the end of the top-level value"),
        (#"{"currency":"CNY"#, "invalid JSON at line 1, column 17: the text ends inside a string; expected a closing '\"'"),
        (#"{"currency":"CNY""#, "invalid JSON at line 1, column 18: the text ends inside an object; expected ',' or '}'"),
        ("{\"currency\":\"C\tNY\"}", "invalid JSON at line 1, column 15: control character U+0009 inside a string; write it as an escape such as \\n or \\u0009"),
        (#"{"currency":"\uD800"}"#, #"invalid JSON at line 1, column 20: the high surrogate \uD800 is not followed by a low surrogate escape"#),
        (#"{"currency":"\uDC00"}"#, #"invalid JSON at line 1, column 20: the low surrogate \uDC00 has no high surrogate before it"#),
        (#"{"currency":"\x"}"#, #"invalid JSON at line 1, column 15: invalid escape '\x'; JSON allows \" \\ \/ \b \f \n \r \t and \uXXXX"#),
        (#"{"pending_days":014}"#, "invalid JSON at line 1, column 18: numbers must not have leading zeros"),
        (#"{"pending_days":1.}"#, "invalid JSON at line 1, column 19: expected a digit after the decimal point"),
        (#"{"pending_days":TRUE}"#, "invalid JSON at line 1, column 17: unexpected 'T'; expected a value (object, array, string, number, true, false or null)"),
        (#"{'currency':'CNY'}"#, "invalid JSON at line 1, column 2: expected a key in double quotes, got '''"),
        ("[" + String(repeating: "[", count: 64) + String(repeating: "]", count: 65),
         "invalid JSON at line 1, column 65: arrays and objects nest deeper than 64 levels"),
    ]

    @Test(arguments: syntaxErrors)
    func syntaxErrorNamesLineAndColumn(text: String, message: String) {
        #expect(parseError(text) == message)
    }

    @Test func invalidUTF8IsRejected() {
        let bytes = Array(#"{"currency":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: ProgramDocumentError(JSONSyntaxError(line: 1, column: 17, reason: "a string ending here is not valid UTF-8"))) {
            try ProgramDocument.parse(bytes)
        }
    }

    @Test func byteOrderMarkAndEscapesAreRead() throws {
        let bytes = [0xEF, 0xBB, 0xBF] + Array(#"{"currency":"\u0043NY","time_zone":"Asia\/Shanghai","tiers":{"ladder":[{"name":"\ud83d\udc51 \u94bb\u77f3"}]}}"#.utf8)
        let program = try ProgramDocument.parse(bytes)
        #expect(program.currency == .cny)
        #expect(program.timeZone == "Asia/Shanghai")
        #expect(program.tiers.map(\.name) == ["👑 钻石"])
    }

    static let fieldErrors: [(String, String)] = [
        // Document and currency.
        ("[]", "the document: expected an object, got an array"),
        ("{}", "currency: required key is missing"),
        (#"{"currency":156}"#, #"currency: expected an ISO 4217 currency code such as "CNY", got 156"#),
        (#"{"currency":"cny"}"#, #"currency: "cny" is not a currency code; expected three uppercase letters such as "CNY""#),
        // Unknown keys, at every level.
        (#"{"currency":"CNY","tier":{}}"#,
         "tier: unknown key; expected one of currency, time_zone, earning, pending_days, expiry, refunds, redemption, point_value, tiers, rewards"),
        (#"{"currency":"CNY","earning":{"points_per_yuan":1}}"#,
         "earning.points_per_yuan: unknown key; expected one of points_per_unit, scope, rounding, minimum_order_amount, multipliers, max_points_per_order, max_points_per_day"),
        (#"{"currency":"CNY","tiers":{"ladder":[{"name":"a"},{"name":"b","min_spend":"1.00"}]}}"#,
         "tiers.ladder[1].min_spend: unknown key; expected one of name, min_net_spend, min_purchases, min_tenure_days, min_points_earned, multiplier"),
        (#"{"currency":"CNY","rewards":{"offers":[{"id":"A","name":"A","points":1,"tiers":[]}]}}"#,
         "rewards.offers[0].tiers: unknown key; expected one of id, name, points, eligible_tiers"),
        // Wrong types.
        (#"{"currency":"CNY","time_zone":8}"#, #"time_zone: expected an IANA time zone name such as "Asia/Shanghai", got 8"#),
        (#"{"currency":"CNY","earning":[]}"#, "earning: expected an object, got an array"),
        (#"{"currency":"CNY","pending_days":"14"}"#, #"pending_days: expected an integer from 0 to 3650, got "14""#),
        (#"{"currency":"CNY","tiers":{"ladder":{"name":"a"}}}"#, "tiers.ladder: expected an array of tiers, lowest first, got an object"),
        (#"{"currency":"CNY","tiers":{"ladder":[{"name":null}]}}"#, "tiers.ladder[0].name: expected the tier's name, got null"),
        (#"{"currency":"CNY","rewards":{"offers":[{"id":"A","name":"A","points":1,"eligible_tiers":["VIP",7]}]}}"#,
         "rewards.offers[0].eligible_tiers[1]: expected a tier name, got 7"),
        (#"{"currency":"CNY","rewards":{"offers":"none"}}"#, #"rewards.offers: expected an array of offers, got "none""#),
        // Integers.
        (#"{"currency":"CNY","pending_days":1.5}"#, "pending_days: expected an integer from 0 to 3650 written in digits, without a fraction or exponent, got 1.5"),
        (#"{"currency":"CNY","pending_days":1e2}"#, "pending_days: expected an integer from 0 to 3650 written in digits, without a fraction or exponent, got 1e2"),
        (#"{"currency":"CNY","pending_days":14.0}"#, "pending_days: expected an integer from 0 to 3650 written in digits, without a fraction or exponent, got 14.0"),
        (#"{"currency":"CNY","redemption":{"minimum_points":-5}}"#, "redemption.minimum_points: expected an integer of 0 or more, got -5"),
        (#"{"currency":"CNY","redemption":{"minimum_points":9223372036854775808}}"#,
         "redemption.minimum_points: 9223372036854775808 is out of range; expected at most 9223372036854775807"),
        (#"{"currency":"CNY","earning":{"points_per_unit":9223372036854775808}}"#,
         "earning.points_per_unit: expected an integer from 0 to 1000, got 9223372036854775808"),
        (#"{"currency":"CNY","earning":{"max_points_per_day":"500"}}"#,
         #"earning.max_points_per_day: expected an integer of 0 or more, or null for no limit, got "500""#),
        (#"{"currency":"CNY","earning":{"max_points_per_order":-1}}"#,
         "earning.max_points_per_order: expected an integer of 0 or more, got -1"),
        // Amounts.
        (#"{"currency":"CNY","tiers":{"ladder":[{"name":"a"},{"name":"b"},{"name":"c","min_net_spend":"12.345"}]}}"#,
         #"tiers.ladder[2].min_net_spend: "12.345" has more decimals than CNY allows (2)"#),
        (#"{"currency":"JPY","earning":{"minimum_order_amount":"12.5"}}"#,
         #"earning.minimum_order_amount: "12.5" has more decimals than JPY allows (0)"#),
        (#"{"currency":"CNY","earning":{"minimum_order_amount":12.5}}"#,
         #"earning.minimum_order_amount: expected a decimal string in CNY such as "12.50", got 12.5"#),
        (#"{"currency":"JPY","earning":{"minimum_order_amount":1250}}"#,
         #"earning.minimum_order_amount: expected a decimal string in JPY such as "1250", got 1250"#),
        (#"{"currency":"CNY","point_value":{"amount":"1,00"}}"#,
         #"point_value.amount: expected a decimal string in CNY such as "12.50", got "1,00""#),
        (#"{"currency":"CNY","point_value":{"amount":".5"}}"#,
         #"point_value.amount: expected a decimal string in CNY such as "12.50", got ".5""#),
        (#"{"currency":"CNY","point_value":{"amount":" 1.00"}}"#,
         #"point_value.amount: expected a decimal string in CNY such as "12.50", got " 1.00""#),
        (#"{"currency":"CNY","point_value":{"amount":"-1.00"}}"#, #"point_value.amount: "-1.00" is negative; amounts must be 0 or more"#),
        (#"{"currency":"CNY","tiers":{"ladder":[{"name":"a"},{"name":"b","min_net_spend":"92233720368547758.08"}]}}"#,
         #"tiers.ladder[1].min_net_spend: "92233720368547758.08" is too large; the largest amount is 92233720368547758.07 CNY"#),
        (#"{"currency":"CNY","point_value":{"amount":"92233720368547758.08"}}"#,
         #"point_value.amount: "92233720368547758.08" is too large; the largest amount is 10000000.00 CNY"#),
        // Multipliers.
        (#"{"currency":"CNY","earning":{"multipliers":{"sku":{"TEA-1":1.5}}}}"#,
         #"earning.multipliers.sku["TEA-1"]: 1.5 is not an integer; write fractional multipliers as decimal strings such as "1.5", which are read exactly"#),
        (#"{"currency":"CNY","earning":{"multipliers":{"category":{"tea":"1.2345"}}}}"#,
         #"earning.multipliers.category.tea: "1.2345" has more than 3 decimals; multipliers are stored in thousandths"#),
        (#"{"currency":"CNY","earning":{"multipliers":{"category":{"tea":-2}}}}"#,
         "earning.multipliers.category.tea: -2 is negative; multipliers must be 0 or more"),
        (#"{"currency":"CNY","earning":{"multipliers":{"category":{"tea":"double"}}}}"#,
         #"earning.multipliers.category.tea: expected a multiplier such as "1.5" or 2, got "double""#),
        (#"{"currency":"CNY","earning":{"multipliers":{"category":{"tea":true}}}}"#,
         #"earning.multipliers.category.tea: expected a multiplier such as "1.5" or 2, got true"#),
        (#"{"currency":"CNY","earning":{"multipliers":{"category":{"tea":"99999999999999999"}}}}"#,
         #"earning.multipliers.category.tea: "99999999999999999" is too large; multipliers are at most 100"#),
        (#"{"currency":"CNY","earning":{"multipliers":{"brand":{}}}}"#,
         "earning.multipliers.brand: unknown key; expected one of sku, category"),
        // Named values and kinds.
        (#"{"currency":"CNY","earning":{"scope":"weekly"}}"#,
         #"earning.scope: expected one of "per-order", "cumulative", got "weekly""#),
        (#"{"currency":"CNY","rewards":{"birthday":{"points":1,"timing":"on-the-day"}}}"#,
         #"rewards.birthday.timing: expected one of "on-day", "in-month", got "on-the-day""#),
        (#"{"currency":"CNY","expiry":"after-days"}"#,
         #"expiry: "after-days" needs a number of days; write {"kind": "after-days", "days": N}"#),
        (#"{"currency":"CNY","expiry":{"kind":"after-days"}}"#, "expiry.days: required key is missing"),
        (#"{"currency":"CNY","expiry":{"days":30}}"#, "expiry.kind: required key is missing"),
        (#"{"currency":"CNY","expiry":{"kind":"never","days":30}}"#, #"expiry.days: unknown key for kind "never"; remove it"#),
        (#"{"currency":"CNY","expiry":"monthly"}"#,
         #"expiry: expected one of "never", "end-of-month", "end-of-year", "after-days", got "monthly""#),
        (#"{"currency":"CNY","expiry":null}"#,
         #"expiry: expected one of "never", "end-of-month", "end-of-year", "after-days", or an object with "kind", got null"#),
        (#"{"currency":"CNY","tiers":{"window":{"kind":"rolling-days","months":12}}}"#,
         #"tiers.window.months: unknown key for kind "rolling-days"; remove it"#),
        (#"{"currency":"CNY","tiers":{"window":{"kind":"rolling-weeks","weeks":2}}}"#,
         "tiers.window.weeks: unknown key; expected one of kind, days, months"),
        (#"{"currency":"CNY","tiers":{"window":{"kind":"rolling-days","days":"365"}}}"#,
         #"tiers.window.days: expected an integer from 1 to 36500, got "365""#),
        // Required members of rewards.
        (#"{"currency":"CNY","rewards":{"referral":{"referrer_points":200}}}"#, "rewards.referral.new_customer_points: required key is missing"),
        (#"{"currency":"CNY","rewards":{"birthday":{}}}"#, "rewards.birthday.points: required key is missing"),
        (#"{"currency":"CNY","rewards":{"offers":[{"name":"Cup","points":0}]}}"#, "rewards.offers[0].id: required key is missing"),
        (#"{"currency":"CNY","rewards":{"offers":[{"id":"CUP","points":0}]}}"#, "rewards.offers[0].name: required key is missing"),
        (#"{"currency":"CNY","rewards":{"offers":[{"id":"CUP","name":"Cup"}]}}"#, "rewards.offers[0].points: required key is missing"),
        (#"{"currency":"CNY","tiers":{"ladder":[{"min_purchases":1}]}}"#, "tiers.ladder[0].name: required key is missing"),
    ]

    @Test(arguments: fieldErrors)
    func fieldErrorNamesPathAndValue(text: String, message: String) {
        #expect(parseError(text) == message)
    }

    @Test func longStringIsShortenedInMessage() throws {
        let long = String(repeating: "x", count: 100)
        let message = try #require(parseError(#"{"currency":"CNY","pending_days":"\#(long)"}"#))
        #expect(message == "pending_days: expected an integer from 0 to 3650, got \"" + String(repeating: "x", count: 59) + "…\"")
    }
}
