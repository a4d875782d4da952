import Testing
@testable import LedgerCommandLine

@Suite("ProgressBar")
struct ProgressBarTests {
    /// Clock whose time the test sets.
    final class FakeClock {
        var now = 0.0
    }

    /// Sink that records every write.
    final class OutputRecorder {
        var writes: [String] = []
        var text: String { writes.joined() }
    }

    static func makeBar(
        total: Int?,
        label: String,
        isTerminal: Bool = true,
        clock: FakeClock,
        recorder: OutputRecorder
    ) -> ProgressBar {
        ProgressBar(
            total: total,
            label: label,
            isTerminal: isTerminal,
            clock: { clock.now },
            output: { recorder.writes.append($0) }
        )
    }

    @Test func drawsThrottledRedrawsAndFinishes() {
        let clock = FakeClock()
        let recorder = OutputRecorder()
        let bar = Self.makeBar(total: 200, label: "import", clock: clock, recorder: recorder)
        #expect(recorder.writes.isEmpty)

        clock.now = 2
        bar.update(completed: 50)
        clock.now = 2.05
        bar.update(completed: 60)  // within 0.1 s of the last redraw, so not drawn
        clock.now = 4
        bar.update(completed: 100)
        clock.now = 8
        bar.advance(by: 100)
        bar.finish()

        #expect(recorder.writes == [
            "\rimport [######------------------]  50/200   25.0%  25/s",
            "\rimport [############------------] 100/200   50.0%  25/s",
            "\rimport [########################] 200/200  100.0%  25/s",
            "\rimport [########################] 200/200  100.0%  25/s",
            "\n",
        ])
    }

    @Test func finishDrawsThrottledState() {
        let clock = FakeClock()
        let recorder = OutputRecorder()
        let bar = Self.makeBar(total: 10, label: "", clock: clock, recorder: recorder)

        clock.now = 1
        bar.update(completed: 1)
        clock.now = 1.01
        bar.update(completed: 10)
        bar.finish()

        #expect(recorder.writes == [
            "\r[##----------------------]  1/10   10.0%  1.0/s",
            "\r[########################] 10/10  100.0%  9.9/s",
            "\n",
        ])
    }

    @Test func callsAfterFinishDoNothing() {
        let clock = FakeClock()
        let recorder = OutputRecorder()
        let bar = Self.makeBar(total: 4, label: "x", clock: clock, recorder: recorder)

        clock.now = 1
        bar.finish()
        let writesAtFinish = recorder.writes
        clock.now = 5
        bar.update(completed: 3)
        bar.advance()
        bar.finish()

        #expect(writesAtFinish.count == 2)
        #expect(recorder.writes == writesAtFinish)
        #expect(bar.isFinished)
    }

    @Test func printsNothingWhenNotTerminal() {
        let clock = FakeClock()
        let recorder = OutputRecorder()
        let bar = Self.makeBar(total: 100, label: "import", isTerminal: false, clock: clock, recorder: recorder)

        clock.now = 1
        bar.update(completed: 10)
        clock.now = 2
        bar.advance(by: 90)
        bar.finish()

        #expect(recorder.writes.isEmpty)
    }

    @Test func unknownTotalBlanksLeftovers() {
        let clock = FakeClock()
        let recorder = OutputRecorder()
        let bar = Self.makeBar(total: nil, label: "scan", clock: clock, recorder: recorder)

        clock.now = 2
        bar.update(completed: 5000)
        clock.now = 1000
        bar.advance()

        // The second line is one column shorter, so one space blanks the old last character.
        #expect(recorder.writes == [
            "\rscan 5000 done  2500/s",
            "\rscan 5001 done  5.0/s ",
        ])
    }

    @Test func rateBeforeAnyTimePasses() {
        let clock = FakeClock()
        let recorder = OutputRecorder()
        let bar = Self.makeBar(total: 3, label: "", clock: clock, recorder: recorder)

        bar.update(completed: 1)

        #expect(recorder.writes == ["\r[########----------------] 1/3   33.3%  -/s"])
    }

    @Test func zeroTotalShowsComplete() {
        let clock = FakeClock()
        let recorder = OutputRecorder()
        let bar = Self.makeBar(total: 0, label: "", clock: clock, recorder: recorder)

        clock.now = 1
        bar.update(completed: 0)

        #expect(recorder.writes == ["\r[########################] 0/0  100.0%  0.0/s"])
    }

    @Test func longLabelIsTruncated() {
        let bar = ProgressBar(total: 1, label: "导入上海市浦东新区的全部客户事件", isTerminal: true, clock: { 0 }, output: { _ in })
        #expect(bar.label == "导入上海市浦东…")
        #expect(bar.label.displayWidth <= ProgressBar.maximumLabelWidth)
    }

    @Test func widestLineFitsEightyColumns() {
        let bar = ProgressBar(total: 999_999, label: String(repeating: "x", count: 30), isTerminal: true, clock: { 0 }, output: { _ in })
        bar.update(completed: 999_999)
        #expect(bar.renderLine(elapsed: 1).displayWidth == 75)
    }

    @Test func percentRoundsDown() {
        #expect(ProgressBar.percentText(99.99) == "99.9%")
        #expect(ProgressBar.percentText(100) == "100.0%")
        #expect(ProgressBar.percentText(0) == "0.0%")
    }

    @Test func rateFormatting() {
        #expect(ProgressBar.rateText(completed: 5, elapsed: 2) == "2.5/s")
        #expect(ProgressBar.rateText(completed: 8123, elapsed: 10) == "812/s")
        #expect(ProgressBar.rateText(completed: 5, elapsed: 0) == "-/s")
    }

    @Test func monotonicClockAdvances() {
        let clock = ProgressBar.makeMonotonicClock()
        let first = clock()
        let second = clock()
        #expect(first >= 0)
        #expect(second >= first)
    }
}
