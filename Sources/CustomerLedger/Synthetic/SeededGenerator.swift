/// A pseudo-random number generator that gives the same numbers for the same seed on every
/// platform and Swift version: xoshiro256**, with its state filled by SplitMix64 from the seed.
///
/// The synthetic data set draws every choice from it instead of `SystemRandomNumberGenerator`.
/// Its helpers avoid `Int.random(in:using:)`, whose algorithm the standard library may change,
/// and floating-point functions such as `log`, whose last bit can differ between C libraries.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state0: UInt64
    private var state1: UInt64
    private var state2: UInt64
    private var state3: UInt64

    public init(seed: UInt64) {
        var mixer = seed
        state0 = Self.splitMix64(&mixer)
        state1 = Self.splitMix64(&mixer)
        state2 = Self.splitMix64(&mixer)
        state3 = Self.splitMix64(&mixer)
    }

    /// Creates a generator for one part of a larger run, such as one customer, so that each part
    /// draws the same numbers whatever the other parts drew.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = seed ^ (stream &* 0xD134_2543_DE82_EF95)
        self.init(seed: Self.splitMix64(&mixer))
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state1 &* 5, by: 7) &* 9
        let shifted = state1 << 17
        state2 ^= state0
        state3 ^= state1
        state1 ^= state2
        state0 ^= state3
        state2 ^= shifted
        state3 = rotateLeft(state3, by: 45)
        return result
    }

    /// Returns a number in `0..<bound`, without modulo bias (Lemire's multiply-and-reject method).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "the bound must be positive, got \(bound)")
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold {
                product = next().multipliedFullWidth(by: limit)
            }
        }
        return Int(product.high)
    }

    /// Returns a number in `range`.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Returns a number in `[0, 1)` with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Returns true with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// Returns an element of `elements`, each with the same probability.
    public mutating func element<Element>(of elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    /// Returns the index of an entry of `weights`, each drawn in proportion to its weight.
    public mutating func weightedIndex(_ weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        precondition(total > 0, "the weights must add up to more than 0")
        var remaining = below(total)
        for (index, weight) in weights.enumerated() {
            if remaining < weight { return index }
            remaining -= weight
        }
        return weights.count - 1
    }

    private static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    private func rotateLeft(_ value: UInt64, by count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
