import Foundation

/// Text widths, axis ticks and colours shared by the report's charts.
enum ChartLayout {
    /// Returns the estimated width in pixels of `text` at `size` pixels: a full em for each
    /// Chinese or other wide character and 0.62 em for others, an estimate of the average Latin
    /// letter or digit of common sans-serif fonts. Charts size their margins with it, so that labels fit.
    static func textWidth(_ text: String, size: Double) -> Double {
        var ems = 0.0
        for character in text {
            ems += DisplayWidth.of(character) >= 2 ? 1.0 : 0.62
        }
        return ems * size
    }

    /// Returns about `count` evenly spaced round tick values from 0 to at least `maximum`:
    /// steps of 1, 2 or 5 times a power of ten.
    static func ticks(upTo maximum: Double, count: Int = 5) -> [Double] {
        guard maximum > 0 else { return [0, 1] }
        let rough = maximum / Double(count)
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let last = (maximum / step).rounded(.up)
        return (0...Int(last)).map { Double($0) * step }
    }

    /// Formats an axis value briefly: `0`, `750`, `1.5k`, `20k`, `1.2M`.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        func trimmed(_ number: Double, _ suffix: String) -> String {
            let text = String(format: "%.1f", number)
            return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + suffix
        }
        if magnitude >= 1_000_000 { return trimmed(value / 1_000_000, "M") }
        if magnitude >= 1_000 { return trimmed(value / 1_000, "k") }
        return trimmed(value, "")
    }

    static let primary = "#2B6CB0"
    static let secondary = "#DD6B20"
    static let complaint = "#C53030"
    static let good = "#2F855A"
    static let warning = "#D69E2E"
    static let muted = "#A0AEC0"
    static let axis = "#4A5568"
    static let grid = "#E2E8F0"

    /// Returns the colour of rung `index` of `count` ordered categories, such as tiers: light
    /// blue for the lowest to dark blue for the highest.
    static func rank(_ index: Int, of count: Int) -> String {
        heat(0.3 + 0.7 * Double(index) / Double(max(1, count - 1)))
    }

    /// Returns the colour of a heat-map cell for `fraction` from 0 (white) to 1 (dark blue).
    static func heat(_ fraction: Double) -> String {
        let clamped = min(1, max(0, fraction))
        let light = (247.0, 251.0, 255.0)
        let dark = (8.0, 48.0, 107.0)
        func mix(_ from: Double, _ to: Double) -> Int { Int((from + (to - from) * clamped).rounded()) }
        return String(format: "#%02X%02X%02X", mix(light.0, dark.0), mix(light.1, dark.1), mix(light.2, dark.2))
    }
}
