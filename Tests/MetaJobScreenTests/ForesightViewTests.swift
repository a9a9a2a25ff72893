import MetaJobCore
import Testing
@testable import MetaJobScreen

/// The live dashboard looking ahead: expected durations from the history in every view, the ETA, the
/// critical path, overdue jobs, and the preview shown before a retry is sent.
@Suite("Dashboard views: foresight")
struct ForesightViewTests {
    /// extract succeeded; clean-a and clean-b were submitted at 4 s and run: clean-a 6 s of its usual 10 s, clean-b past its p90 (5 s);
    /// load and report wait. The history knows every job but report.
    static let estimates: [String: DurationEstimate] = [
        "extract": DurationEstimate(median: 4, p90: 5, sampleCount: 20),
        "clean-a": DurationEstimate(median: 10, p90: 12, sampleCount: 20),
        "clean-b": DurationEstimate(median: 3, p90: 5, sampleCount: 20),
        "load": DurationEstimate(median: 20, p90: 30, sampleCount: 3),
    ]

    static func running() -> LiveRunFixture {
        var f = LiveRunFixture()
        f.send(.start, at: 0)
        f.start("extract", at: 0.5)
        f.finish("extract", at: 4)
        f.start("clean-a", at: 4.2)
        f.start("clean-b", at: 4.2)
        f.now = 10
        return f
    }

    static func dashboard(_ f: inout LiveRunFixture, ascii: Bool = false, estimates: [String: DurationEstimate] = estimates,
                          width: Int = 120) -> Dashboard {
        var d = LiveRunFixture.dashboard(&f, width: width, ascii: ascii, theme: ascii ? "mono" : "default")
        _ = d.update(.estimates(runId: f.info.runId, byJob: estimates))
        return d
    }

    @Test func openingALiveRunAsksTheHistoryForEstimates() {
        var f = Self.running()
        let themes = try! ThemeResolver.resolve(argument: "default", environment: [:], readFile: { _ in nil }).get()
        var d = Dashboard(mode: .live, themes: themes, ascii: false)
        _ = d.update(.resize(width: 100, height: 30))
        let effects = d.update(.live(f.snapshot))
        #expect(effects == [.loadEstimates(runId: f.info.runId, metaJob: "nightly", jobs: LiveRunFixture.demo.map(\.0))])
        _ = d.update(.events(f.take()))
        _ = d.update(.tick(now: LiveRunFixture.origin + f.now))
        #expect(!d.render().text.contains("ETA"), "nothing is foreseen before the history answered")
        _ = d.update(.estimates(runId: "another-run", byJob: Self.estimates))
        #expect(!d.render().text.contains("ETA"), "an answer for another run is ignored")
        _ = d.update(.estimates(runId: f.info.runId, byJob: Self.estimates))
        #expect(d.render().text.contains("ETA"))
    }

    @Test(arguments: [false, true])
    func dagShowsEtaTimeLeftOverdueAndCriticalPath(ascii: Bool) throws {
        var f = Self.running()
        var d = Self.dashboard(&f, ascii: ascii)
        _ = d.select(f.index("clean-a"))
        let frame = d.render()
        ViewSnapshotTests.snapshot(frame.text, "foresight-dag", ascii: ascii)
        let text = frame.text
        // report has no estimate: the ETA is a lower bound. clean-a ends at 14.2 s, load takes 20 s: ≥ 34.2 s from the start.
        let atLeast = ascii ? ">= " : "≥ "
        #expect(text.contains("ETA \(atLeast)" + TimeText.clock(LiveRunFixture.origin + 34)), "\(text)")
        #expect(text.contains("(\(atLeast)24s left)"))
        #expect(text.contains("usually 10s, p90 12s; 4s left"), "the details say the usual time and what is left")
        #expect(text.contains("running 4s left"), "the DAG node says the time left")
        #expect(text.contains("overdue 6s"), "clean-b runs past its p90: overdue, in words")
        let overdue = try #require(ViewSnapshotTests.find("overdue 6s", in: frame))
        #expect(frame[overdue.x, overdue.y].role == .overdue)
        #expect(frame[overdue.x - 2, overdue.y].character == (ascii ? "!" : "⚑"), "and with a glyph, not colour alone")
        // The critical path: clean-a → load → report (report adds no time: it has no estimate), marked with a glyph.
        let load = try #require(ViewSnapshotTests.find("load", in: frame))
        #expect(frame[load.x - 1, load.y].character == (ascii ? "@" : "◆"), "load is on the critical path")
        #expect(frame[load.x - 1, load.y].role == .critical)
        let cleanB = try #require(ViewSnapshotTests.find("clean-b", in: frame))
        #expect(frame[cleanB.x - 1, cleanB.y].character == " ", "clean-b does not decide the end")
    }

    @Test(arguments: [false, true])
    func listShowsProgressBarsAndOverdue(ascii: Bool) {
        var f = Self.running()
        var d = Self.dashboard(&f, ascii: ascii)
        _ = d.update(.key(.character("l")))
        let text = d.render().text
        ViewSnapshotTests.snapshot(text, "foresight-list", ascii: ascii)
        // 6 s of 10 s: 3 of 6 cells filled.
        #expect(text.contains(ascii ? "###--- 4s left" : "▰▰▰▱▱▱ 4s left"), "\(text)")
        #expect(text.contains("overdue (p90 5s)"))
    }

    @Test(arguments: [false, true])
    func timelineDrawsExpectedBarsPastTheRunningOnes(ascii: Bool) throws {
        var f = Self.running()
        var d = Self.dashboard(&f, ascii: ascii)
        _ = d.update(.key(.character("t")))
        let frame = d.render()
        ViewSnapshotTests.snapshot(frame.text, "foresight-timeline", ascii: ascii)
        #expect(frame.text.contains("expected to 34s"), "the axis reaches the expected end")
        let load = try #require(ViewSnapshotTests.find("load", in: frame))
        let row = String(frame.row(load.y))
        let expected: Character = ascii ? "." : "░"
        #expect(row.contains(expected), "load, still pending, has an expected bar: \(row)")
        let bar = try #require(row.lastIndex(of: expected), "the last expected cell (a pending job's glyph is a dot in ASCII too)")
        #expect(frame[row.distance(from: row.startIndex, to: bar), load.y].role == .critical, "on the critical path")
    }

    @Test func withoutHistoryNothingIsMadeUp() {
        var f = Self.running()
        var d = Self.dashboard(&f, estimates: [:])
        _ = d.select(f.index("clean-a"))
        let text = d.render().text
        #expect(text.contains("ETA: no estimate"))
        #expect(text.contains("no estimate: no past success"))
        #expect(!text.contains("left"), "no time left is shown without an estimate")
        #expect(!text.contains("overdue"))
    }

    /// Every job known and none overdue: clean-b's p90 is 8 s here.
    static let allKnown = estimates.merging(["report": DurationEstimate(median: 6, p90: 8),
                                             "clean-b": DurationEstimate(median: 3, p90: 8)]) { $1 }

    @Test func etaFollowsTheRunAndDisappearsWhenItEnds() {
        var f = Self.running()
        var d = Self.dashboard(&f, estimates: Self.allKnown)
        // Every job known: a precise ETA, 4.2 s (clean-a) + 20 s (load) + 6 s (report) after now.
        #expect(d.render().text.contains("ETA " + TimeText.clock(LiveRunFixture.origin + 40) + " (30s left)"))
        // clean-a ends early: the ETA moves up as soon as the event arrives.
        f.finish("clean-a", at: 11)
        f.finish("clean-b", at: 11)
        _ = d.update(.events(f.take()))
        _ = d.update(.tick(now: LiveRunFixture.origin + 11))
        #expect(d.render().text.contains("ETA " + TimeText.clock(LiveRunFixture.origin + 37) + " (26s left)"), "\(d.render().text)")
        f.start("load", at: 11)
        f.finish("load", at: 12)
        f.start("report", at: 12)
        f.finish("report", at: 13)
        _ = d.update(.events(f.take()))
        _ = d.update(.tick(now: LiveRunFixture.origin + 13))
        #expect(!d.render().text.contains("ETA"), "a finished run has nothing left to foresee")
    }

    @Test(arguments: [false, true])
    func retryPreviewNamesWhatRunsAgainAndWaitsForEnter(ascii: Bool) throws {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, ascii: ascii, theme: ascii ? "mono" : "default")
        _ = d.update(.estimates(runId: f.info.runId, byJob: Self.estimates))
        _ = d.select(f.index("clean-a"))
        #expect(d.update(.key(.character("r"))).isEmpty, "nothing is sent before Enter")
        let text = d.render().text
        ViewSnapshotTests.snapshot(text, "retry-preview", ascii: ascii)
        #expect(text.contains("Retry clean-a?"))
        #expect(text.contains("Runs again (3): clean-a, load, report"), "\(text)")
        #expect(text.contains("Reused, not run again (1): extract"))
        #expect(text.contains("Stays as it is (1): clean-b (running)"))
        #expect(text.contains("Expected added time: " + (ascii ? ">= " : "≥ ")), "report has no estimate: a lower bound")
        #expect(text.contains("Enter") && text.contains("Esc"))
        #expect(d.update(.key(.character("x"))).isEmpty, "other keys do nothing while the preview is open")
        #expect(d.overlay != nil)
        #expect(d.update(.key(.enter)) == [.send(.retry(job: f.index("clean-a")))])
        #expect(d.overlay == nil)
    }

    @Test func rerunDownstreamPreviewCountsTheAddedTime() {
        var f = Self.running()
        f.finish("clean-a", at: 9)
        f.finish("clean-b", at: 9)
        f.start("load", at: 9)
        f.finish("load", at: 29)
        f.start("report", at: 29)
        f.finish("report", at: 35)
        var d = Self.dashboard(&f, estimates: Self.allKnown)
        _ = d.select(f.index("load"))
        #expect(d.update(.key(.character("d"))).isEmpty)
        let text = d.render().text
        #expect(text.contains("Rerun load and everything downstream?"))
        #expect(text.contains("Runs again (2): load, report"))
        #expect(text.contains("Expected added time: 26s"), "load 20 s then report 6 s: \(text)")
        #expect(text.contains("Critical path: load"), "\(text)")
        #expect(d.update(.key(.escape)).isEmpty, "Esc sends nothing")
        #expect(d.overlay == nil)
    }
}
