import CustomerLedger

/// Escaping and number text for the HTML report.
enum HTMLText {
    /// Returns `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, so that it
    /// is safe as element content and as a quoted attribute value, in HTML and in inline SVG.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        // By scalar, not by Character: a quote followed by a combining mark is one Character
        // that differs from a quote, yet it still writes the quote byte.
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Formats an amount in minor units with grouped digits and without its currency code, such
    /// as `2,500,315.63`, for table columns whose header names the currency.
    static func amount(_ minorUnits: Int64, _ currency: Currency) -> String {
        let text = Formatting.money(minorUnits, currency)
        return String(text.dropLast(currency.code.count + 1))
    }

    /// Formats a fraction from 0 to 1 as a percentage with one decimal, such as `12.5%`.
    static func percent(_ fraction: Double) -> String {
        Formatting.percent(fraction)
    }

    /// Formats a coordinate with at most one decimal, such as `12.5` or `80`.
    static func coordinate(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
