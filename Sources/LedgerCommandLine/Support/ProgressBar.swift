#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A one-line progress bar on standard error, for long imports and rebuilds.
///
/// The bar is drawn only when standard error is a terminal, so redirected output and logs
/// stay clean. Each redraw starts with "\r" and overwrites the previous line. Redraws are
/// throttled to one per `redrawInterval` seconds, and `finish()` draws the final state and
/// ends the line. A line looks like:
///
///     import [######------------------]  50/200   25.0%  25/s
///
/// When the total is unknown, the bar and percentage are left out: `import 1234 done  812/s`.
///
/// The class is not thread-safe. Create, update and finish it from one task or thread.
final class ProgressBar {
    /// Number of characters between the brackets.
    static let barWidth = 24
    /// Maximum display width of the label. With it, a line for totals up to 999,999 and rates
    /// up to 999,999 per second is at most 75 columns, so it fits in an 80-column terminal.
    static let maximumLabelWidth = 16

    let total: Int?
    let label: String
    let isTerminal: Bool
    /// Minimum time in seconds between two redraws by `update` or `advance`.
    let redrawInterval: Double
    private let clock: () -> Double
    private let output: (String) -> Void

    private let startTime: Double
    private(set) var completed = 0
    private var lastDrawTime: Double?
    /// Display width of the last line drawn, used to blank out its leftovers.
    private var lastLineWidth = 0
    private(set) var isFinished = false

    /// Creates a progress bar. Nothing is drawn until the first `update`, `advance` or `finish`.
    ///
    /// - Parameters:
    ///   - total: Number of items expected, or `nil` when unknown. A total of 0 shows 100%.
    ///   - label: Text before the bar, truncated to `maximumLabelWidth` columns.
    ///   - isTerminal: Whether to draw at all. Defaults to whether standard error is a
    ///     terminal. Tests pass `true`.
    ///   - redrawInterval: Minimum seconds between redraws.
    ///   - clock: Current time in seconds, from any fixed origin. Used for the rate and the
    ///     redraw throttle. Defaults to a monotonic clock.
    ///   - output: Sink for the drawn text. Defaults to writing to standard error.
    init(
        total: Int?,
        label: String = "",
        isTerminal: Bool = isatty(STDERR_FILENO) == 1,
        redrawInterval: Double = 0.1,
        clock: @escaping () -> Double = ProgressBar.makeMonotonicClock(),
        output: @escaping (String) -> Void = ProgressBar.writeToStandardError
    ) {
        self.total = total
        self.label = label.truncated(toDisplayWidth: Self.maximumLabelWidth)
        self.isTerminal = isTerminal
        self.redrawInterval = redrawInterval
        self.clock = clock
        self.output = output
        self.startTime = isTerminal ? clock() : 0
    }

    /// Sets the number of completed items and redraws unless the last redraw was less than
    /// `redrawInterval` seconds ago.
    func update(completed newCompleted: Int) {
        guard isTerminal, !isFinished else {
            return
        }
        completed = newCompleted
        let now = clock()
        if let lastDrawTime, now - lastDrawTime < redrawInterval {
            return
        }
        draw(at: now)
    }

    /// Adds `count` to the number of completed items and redraws as `update` does.
    func advance(by count: Int = 1) {
        update(completed: completed + count)
    }

    /// Draws the final state and ends the line. Later calls to any method do nothing.
    func finish() {
        guard isTerminal, !isFinished else {
            return
        }
        draw(at: clock())
        output("\n")
        isFinished = true
    }

    private func draw(at now: Double) {
        let line = renderLine(elapsed: now - startTime)
        let lineWidth = line.displayWidth
        let blanks = String(repeating: " ", count: max(0, lastLineWidth - lineWidth))
        output("\r" + line + blanks)
        lastDrawTime = now
        lastLineWidth = lineWidth
    }

    /// Returns the visible line without "\r", for example
    /// "import [######------------------]  50/200   25.0%  25/s".
    func renderLine(elapsed: Double) -> String {
        var parts: [String] = []
        if !label.isEmpty {
            parts.append(label + " ")
        }

        if let total {
            let fraction = total > 0 ? min(max(Double(completed) / Double(total), 0), 1) : 1
            let filled = Int((fraction * Double(Self.barWidth)).rounded(.down))
            let bar = String(repeating: "#", count: filled)
                + String(repeating: "-", count: Self.barWidth - filled)
            let totalText = String(total)
            let completedText = String(completed).padded(toDisplayWidth: totalText.count, alignment: .right)
            let percent = total > 0 ? Double(completed) * 100 / Double(total) : 100
            parts.append("[\(bar)] \(completedText)/\(totalText)")
            parts.append("  " + Self.percentText(percent).padded(toDisplayWidth: 6, alignment: .right))
        } else {
            parts.append("\(completed) done")
        }

        parts.append("  " + Self.rateText(completed: completed, elapsed: elapsed))
        return parts.joined()
    }

    /// Returns the percentage with one decimal, rounded down so that 100.0% means done,
    /// for example "25.0%".
    static func percentText(_ percent: Double) -> String {
        let tenths = Int((percent * 10).rounded(.down))
        return "\(tenths / 10).\(abs(tenths % 10))%"
    }

    /// Returns the average rate since the start, with one decimal below 10 items per second,
    /// for example "2.5/s" or "812/s". Returns "-/s" before any time has passed.
    static func rateText(completed: Int, elapsed: Double) -> String {
        guard elapsed > 0 else {
            return "-/s"
        }
        let rate = Double(completed) / elapsed
        if rate < 10 {
            let tenths = Int((rate * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)/s"
        }
        return "\(Int(rate.rounded()))/s"
    }

    /// Returns a clock that reads a monotonic clock in seconds since its creation.
    static func makeMonotonicClock() -> () -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        return {
            let elapsed = start.duration(to: clock.now).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        }
    }

    /// Writes `text` to standard error.
    static func writeToStandardError(_ text: String) {
        // A failed write of a progress line is ignored, because it must not stop the work
        // whose progress it reports.
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }
}
