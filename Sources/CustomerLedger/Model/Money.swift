/// An ISO 4217 currency code such as `CNY` or `USD`, with the number of digits of its minor unit.
public struct Currency: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The three uppercase ASCII letters packed into the low 24 bits.
    let packed: UInt32

    /// Creates a currency from a code of three uppercase ASCII letters, or returns nil for any other text.
    public init?(_ code: String) {
        let letters = Array(code.utf8)
        guard letters.count == 3, letters.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        packed = UInt32(letters[0]) << 16 | UInt32(letters[1]) << 8 | UInt32(letters[2])
    }

    init?(packed: UInt32) {
        func isLetter(_ shift: UInt32) -> Bool {
            let byte = UInt8(truncatingIfNeeded: packed >> shift)
            return byte >= 0x41 && byte <= 0x5A
        }
        guard packed >> 24 == 0, isLetter(16), isLetter(8), isLetter(0) else { return nil }
        self.packed = packed
    }

    public static let cny = Currency("CNY")!
    public static let usd = Currency("USD")!

    public var code: String {
        String(decoding: [UInt8(truncatingIfNeeded: packed >> 16), UInt8(truncatingIfNeeded: packed >> 8),
                          UInt8(truncatingIfNeeded: packed)], as: UTF8.self)
    }

    /// The digits after the decimal point in amounts of this currency (ISO 4217's minor unit).
    public var minorUnitDigits: Int {
        if Currency.noMinorUnit.contains(packed) { return 0 }
        if Currency.threeDigitMinorUnit.contains(packed) { return 3 }
        if Currency.fourDigitMinorUnit.contains(packed) { return 4 }
        return 2
    }

    /// The number of minor units in one whole unit: 100 for CNY, 1 for JPY.
    public var minorUnitsPerUnit: Int64 {
        switch minorUnitDigits {
        case 0: 1
        case 3: 1000
        case 4: 10000
        default: 100
        }
    }

    /// Packed codes of the currencies without a minor unit, checked on every fold, so kept as integers.
    private static let noMinorUnit: [UInt32] = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
        "XPF",
    ].map { Currency($0)!.packed }

    /// Packed codes of the currencies with three minor-unit digits.
    /// True for the active ISO 4217 currency codes (the list of 1 January 2025).
    public var isISO4217: Bool { Currency.iso4217.contains(packed) }

    private static let iso4217: Set<UInt32> = Set(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
        CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
        GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD \
        KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO \
        NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD \
        SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV \
        WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
        """.split(separator: " ").compactMap { Currency(String($0))?.packed })

    private static let threeDigitMinorUnit: [UInt32] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"].map {
        Currency($0)!.packed
    }

    private static let fourDigitMinorUnit: [UInt32] = ["CLF", "UYW"].map { Currency($0)!.packed }

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.packed < rhs.packed }

    public var description: String { code }
}

/// An amount of money in integer minor units (fen, cents) of one currency.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The amount with its decimal point and code, such as `11.77 USD` or `-3.50 CNY`.
    public var description: String {
        "\(Money.decimalText(minorUnits, digits: currency.minorUnitDigits)) \(currency.code)"
    }

    /// The amount as a decimal number without its code, such as `11.77`.
    public var decimalText: String {
        Money.decimalText(minorUnits, digits: currency.minorUnitDigits)
    }

    static func decimalText(_ minorUnits: Int64, digits: Int) -> String {
        guard digits > 0 else { return String(minorUnits) }
        let magnitude = minorUnits.magnitude
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        var fraction = String(magnitude % scale)
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        return (minorUnits < 0 ? "-" : "") + String(magnitude / scale) + "." + fraction
    }

    /// Parses a decimal amount such as `11.77` into minor units of `currency`.
    ///
    /// - throws: ``MoneyParseError`` for empty text, a sign or other non-digit characters, more
    ///   decimals than the currency has, or an amount beyond `Int64` minor units.
    public static func parse(_ text: String, currency: Currency) throws(MoneyParseError) -> Money {
        let digits = currency.minorUnitDigits
        let utf8 = Array(text.utf8)

        guard !utf8.isEmpty else { throw MoneyParseError(text: text, reason: "the amount is empty") }
        if utf8.first == UInt8(ascii: "-") {
            throw MoneyParseError(text: text, reason: "negative amounts are not allowed")
        }

        var whole: [UInt8] = []
        var fraction: [UInt8] = []
        var seenPoint = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if byte >= 0x30 && byte <= 0x39 {
                if seenPoint { fraction.append(byte) } else { whole.append(byte) }
            } else {
                throw MoneyParseError(text: text, reason: "expected digits with an optional decimal point")
            }
        }
        guard !whole.isEmpty, !seenPoint || !fraction.isEmpty else {
            throw MoneyParseError(text: text, reason: "expected digits with an optional decimal point")
        }
        guard fraction.count <= digits else {
            throw MoneyParseError(
                text: text, reason: "\(currency.code) has \(digits) decimal places, the amount has \(fraction.count)")
        }

        var value: Int64 = 0
        for byte in whole + fraction + Array(repeating: UInt8(ascii: "0"), count: digits - fraction.count) {
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = multiplied.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow1, !overflow2 else {
                throw MoneyParseError(text: text, reason: "the amount exceeds the largest storable amount")
            }
            value = added
        }
        return Money(minorUnits: value, currency: currency)
    }
}

/// An amount that could not be read, with the text and the reason.
public struct MoneyParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public let text: String
    public let reason: String

    public var description: String { "invalid amount '\(text)': \(reason)" }
}
