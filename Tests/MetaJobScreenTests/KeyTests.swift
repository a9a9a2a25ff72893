import MetaJobCore
import Testing
@testable import MetaJobScreen

/// The update function, key by key: the effect each key emits and how the model changes.
@Suite("Dashboard keys")
struct KeyTests {
    static func story() -> (LiveRunFixture, Dashboard) {
        var f = LiveRunFixture.story()
        let d = LiveRunFixture.dashboard(&f)
        return (f, d)
    }

    static func select(_ d: inout Dashboard, _ f: LiveRunFixture, _ name: String) {
        _ = d.select(f.index(name))
    }

    @Test func arrowsAndHJKMoveThroughTheDag() {
        var (f, d) = Self.story()
        #expect(d.selectedJob == f.index("extract"))
        _ = d.update(.key(.right))
        #expect(d.selectedJob == f.index("clean-a"))
        _ = d.update(.key(.character("j")))
        #expect(d.selectedJob == f.index("clean-b"))
        _ = d.update(.key(.up))
        #expect(d.selectedJob == f.index("clean-a"))
        _ = d.update(.key(.down))
        _ = d.update(.key(.character("k")))
        #expect(d.selectedJob == f.index("clean-a"))
        _ = d.update(.key(.character("h")))
        #expect(d.selectedJob == f.index("extract"))
        _ = d.update(.key(.left))
        #expect(d.selectedJob == f.index("extract"), "nothing left of the first level")
        _ = d.update(.key(.right)); _ = d.update(.key(.right))
        #expect(d.selectedJob == f.index("load"))
        _ = d.update(.key(.right))
        #expect(d.selectedJob == f.index("report"))
        f.now = 0
    }

    @Test func listModeMovesInLevelOrder() {
        var (f, d) = Self.story()
        _ = d.update(.key(.character("l")))
        #expect(d.graphMode == .list)
        for _ in 0..<3 { _ = d.update(.key(.down)) }
        #expect(d.selectedJob == f.index("load"))
        _ = d.update(.key(.end))
        #expect(d.selectedJob == f.index("report"))
        _ = d.update(.key(.character("l")))
        #expect(d.graphMode == .dag)
        _ = d.update(.key(.character("t")))
        #expect(d.graphMode == .timeline)
        _ = d.update(.key(.escape))
        #expect(d.graphMode == .dag, "Esc goes back from the timeline")
        f.now = 0
    }

    @Test func enterFocusesLogsAndTabCycles() {
        var (_, d) = Self.story()
        _ = d.update(.key(.enter))
        #expect(d.focus == .logs)
        _ = d.update(.key(.tab))
        #expect(d.focus == .graph)
        _ = d.update(.key(.tab))
        #expect(d.focus == .details)
        _ = d.update(.key(.backTab))
        #expect(d.focus == .graph)
        _ = d.update(.key(.enter))
        _ = d.update(.key(.escape))
        #expect(d.focus == .graph)
    }

    @Test func retryOnlyWhatCanBeRetried() {
        var (f, d) = Self.story()
        Self.select(&d, f, "clean-b")
        #expect(d.update(.key(.character("r"))).isEmpty)
        #expect(d.render().text.contains("only failed, cancelled or not_run jobs can be retried"))
        Self.select(&d, f, "clean-a")
        // r first previews the retry; Enter sends it, Esc leaves it unsent.
        #expect(d.update(.key(.character("r"))).isEmpty, "r opens the preview, nothing is sent yet")
        #expect(d.render().text.contains("Runs again"))
        #expect(d.update(.key(.enter)) == [.send(.retry(job: f.index("clean-a")))])
        #expect(d.overlay == nil)
        Self.select(&d, f, "load")
        #expect(d.update(.key(.character("r"))).isEmpty)
        #expect(d.update(.key(.escape)).isEmpty, "Esc cancels the preview")
        #expect(d.overlay == nil)
        #expect(d.render().text.contains("not retried"))
        #expect(d.update(.key(.character("r"))).isEmpty)
        #expect(d.update(.key(.enter)) == [.send(.retry(job: f.index("load")))], "not_run can be retried")
        #expect(d.update(.key(.character("R"))).isEmpty)
        #expect(d.update(.key(.enter)) == [.send(.retryFailed)])
    }

    @Test func retryFailedRefusedWhenNothingFailed() {
        var f = LiveRunFixture()
        f.send(.start, at: 0)
        var d = LiveRunFixture.dashboard(&f)
        #expect(d.update(.key(.character("R"))).isEmpty)
        #expect(d.render().text.contains("no failed or cancelled job to retry"))
    }

    @Test func retryDownstreamNeedsAFinishedJob() {
        var (f, d) = Self.story()
        #expect(d.update(.key(.character("d"))).isEmpty, "d opens the preview first")
        #expect(d.update(.key(.enter)) == [.send(.retryDownstream(job: f.index("extract")))])
        Self.select(&d, f, "clean-b")
        #expect(d.update(.key(.character("d"))).isEmpty)
        #expect(d.render().text.contains("once it has finished"))
    }

    @Test func cancelAsksFirst() {
        var (f, d) = Self.story()
        Self.select(&d, f, "clean-b")
        #expect(d.update(.key(.character("c"))).isEmpty)
        #expect(d.overlay == .confirmCancel(job: f.index("clean-b")))
        #expect(d.render().text.contains("Cancel clean-b?"))
        #expect(d.update(.key(.character("n"))).isEmpty)
        #expect(d.overlay == nil)
        _ = d.update(.key(.character("c")))
        #expect(d.update(.key(.character("y"))) == [.send(.cancel(job: f.index("clean-b")))])
        Self.select(&d, f, "extract")
        #expect(d.update(.key(.character("c"))).isEmpty)
        #expect(d.overlay == nil, "a finished job is not offered for cancelling")
    }

    @Test func pauseResumeAndConcurrency() {
        var (f, d) = Self.story()
        #expect(d.update(.key(.character("p"))) == [.send(.pause)])
        f.send(.command(.pause))
        _ = d.update(.events(f.take()))
        #expect(d.render().text.contains("PAUSED"))
        #expect(d.update(.key(.character("p"))) == [.send(.resume)])
        #expect(d.update(.key(.character("+"))) == [.send(.setConcurrency(3))])
        #expect(d.update(.key(.character("-"))) == [.send(.setConcurrency(1))])
        f.send(.command(.setConcurrency(1)))
        _ = d.update(.events(f.take()))
        #expect(d.update(.key(.character("-"))).isEmpty, "the limit does not go below 1")
        #expect(d.render().text.contains("slots 1/1"))
    }

    @Test func historyBrowserAndBack() {
        var (_, d) = Self.story()
        #expect(d.update(.key(.character("H"))) == [.loadHistory])
        #expect(d.screen == .browser)
        #expect(!d.wantsTicks, "the browser does not move with time")
        _ = d.update(.key(.escape))
        #expect(d.screen == .run)
    }

    @Test func theSelectedLiveJobIsWatchedAndNothingElse() {
        var (f, d) = Self.story()
        #expect(d.watchedLiveJobs == [f.index("extract")])
        _ = d.update(.key(.right))
        #expect(d.watchedLiveJobs == [f.index("clean-a")], "the watch follows the selection")
        _ = d.update(.key(.character("H")))
        #expect(d.watchedLiveJobs.isEmpty, "no log is on screen in the browser")
        _ = d.update(.key(.escape))
        #expect(d.watchedLiveJobs == [f.index("clean-a")])
        _ = d.update(.pastRun(HistoryFixture.detail, dependsOn: HistoryFixture.detail.storedDependencies()))
        #expect(d.watchedLiveJobs.isEmpty, "a past run's jobs are not the live run's")
    }

    @Test func themesCycle() {
        var (_, d) = Self.story()
        let first = d.theme.name
        _ = d.update(.key(.character("T")))
        #expect(d.theme.name != first)
        for _ in 0..<3 { _ = d.update(.key(.character("T"))) }
        #expect(d.theme.name == first, "four built-ins, back to the start")
    }

    @Test func helpOpensAndAnyKeyCloses() {
        var (_, d) = Self.story()
        _ = d.update(.key(.character("?")))
        #expect(d.overlay == .help)
        #expect(d.update(.key(.character("q"))).isEmpty, "q closes the help, it does not quit")
        #expect(d.overlay == nil)
    }

    @Test func quitAsksWhileJobsRun() {
        var (_, d) = Self.story()
        #expect(d.update(.key(.character("q"))).isEmpty)
        #expect(d.overlay == .confirmQuit)
        #expect(d.render().text.contains("s  stop the jobs, then quit"))
        #expect(d.update(.key(.escape)).isEmpty)
        #expect(d.overlay == nil)
        _ = d.update(.key(.character("q")))
        #expect(d.update(.key(.character("s"))) == [.quit(stopRunning: true)])
        var (_, e) = Self.story()
        _ = e.update(.key(.character("q")))
        #expect(e.update(.key(.character("l"))) == [.quit(stopRunning: false)])
    }

    /// A run started here in a background copy also offers detach; elsewhere `d` in the dialog does nothing.
    @Test func quitOffersDetachOnlyForARunThatCanGoOnAlone() {
        var (_, d) = Self.story()
        _ = d.update(.key(.character("q")))
        #expect(!d.render().text.contains("detach"), "a run in this process cannot go on without it")
        #expect(d.update(.key(.character("d"))).isEmpty)
        #expect(d.overlay == .confirmQuit, "d is not an answer here")
        var (_, e) = Self.story()
        e.offersDetach = true
        _ = e.update(.key(.character("q")))
        #expect(e.render().text.contains("d  detach: the run goes on in the background"))
        #expect(e.render().text.contains("s  stop the jobs, then quit"))
        #expect(e.update(.key(.character("d"))) == [.detach])
        #expect(e.overlay == nil)
    }

    /// A fresh snapshot of the run on screen (an attached client resynchronised after falling behind) brings
    /// the states up to date and leaves the view as it was: selection, wrap, the lines already shown. A
    /// snapshot of another run starts over.
    @Test func aResyncSnapshotOfTheSameRunKeepsTheView() {
        var (f, d) = Self.story()
        Self.select(&d, f, "clean-b")
        _ = d.update(.key(.enter))
        _ = d.update(.key(.character("w")))
        #expect(d.wrap)
        f.finish("clean-b", at: 15)
        _ = f.take()  // Dropped for the slow reader: only the snapshot tells.
        _ = d.update(.live(f.snapshot))
        #expect(d.selectedJob == f.index("clean-b") && d.wrap, "the view stays")
        #expect(d.render().text.contains("row batch 40 written"), "the lines already shown stay")
        #expect(d.render().text.contains("succeeded #1"), "the state caught up:\n\(d.render().text)")
        var other = LiveRunFixture.story()
        other.send(.start, at: 0)
        var e = d
        _ = e.update(.live(LiveRunFixture.renamed(other.snapshot, runId: "another-run")))
        #expect(e.selectedJob == 0 && !e.render().text.contains("row batch 40 written"), "another run starts over")
    }

    @Test func quitAtOnceWhenTheRunIsOverAndStayOpenOnTheFinalState() {
        var (f, d) = Self.story()
        f.finish("clean-b", at: 20)
        let effects = d.update(.events(f.take()))
        #expect(effects.isEmpty, "the dashboard stays open on the final state")
        #expect(d.render().text.contains("FAILED"))
        #expect(!d.wantsTicks, "nothing moves once the run is over")
        #expect(d.update(.key(.character("q"))) == [.quit(stopRunning: false)])
    }

    @Test func exitWhenDoneQuitsWhenTheRunEnds() {
        var f = LiveRunFixture([("only", [])])
        f.send(.start, at: 0)
        var d = Dashboard(mode: .live, themes: ThemeResolver.builtins, ascii: false, exitWhenDone: true)
        _ = d.update(.live(f.snapshot))
        f.start("only", at: 1)
        #expect(d.update(.events(f.take())).isEmpty)
        f.finish("only", at: 2)
        #expect(d.update(.events(f.take())) == [.quit(stopRunning: false)])
    }

    @Test func retryReopensTheRunAndTheDashboardFollows() {
        var (f, d) = Self.story()
        f.finish("clean-b", at: 20)
        _ = d.update(.events(f.take()))
        f.send(.command(.retry(job: f.index("clean-a"))), at: 30)
        _ = d.update(.events(f.take()))
        let text = d.render().text
        #expect(text.contains("RUNNING"))
        #expect(d.wantsTicks)
        #expect(d.live?.jobs[f.index("clean-a")].maxAttempts == 2, "a user retry grants another attempt")
    }

    @Test func logKeysFollowWrapAttemptsSearch() {
        var f = LiveRunFixture([("flaky", [])], retries: 1)
        f.send(.start, at: 0)
        f.start("flaky", at: 1)
        f.log("flaky", [Array("first try".utf8)])
        f.finish("flaky", code: 1, at: 2)
        f.send(.timer, at: 100)
        f.start("flaky", at: 100)
        f.log("flaky", (1...100).map { Array("second try line \($0) ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 80) })
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.enter))
        #expect(d.follow)
        #expect(d.render().text.contains("second try line 100"))
        _ = d.update(.key(.character("f")))
        #expect(!d.follow)
        _ = d.update(.key(.home))
        #expect(d.render().text.contains("second try line 1 "))
        _ = d.update(.key(.character("w")))
        #expect(d.wrap)
        _ = d.update(.key(.character("a")))
        #expect(d.viewedAttempt == 1)
        #expect(d.render().text.contains("first try"))
        _ = d.update(.key(.character("a")))
        #expect(d.viewedAttempt == nil, "a cycles back to the latest attempt")
        #expect(d.update(.key(.character("n"))).isEmpty)
        #expect(d.render().text.contains("no search yet"))
        _ = d.update(.key(.character("/")))
        for c in "line 5" { _ = d.update(.key(.character(c))) }
        _ = d.update(.key(.enter))
        #expect(d.logPane.searchLine == 4)
        _ = d.update(.key(.character("n")))
        #expect(d.logPane.searchLine == 49, "line 50 is the next hit")
        _ = d.update(.key(.character("N")))
        #expect(d.logPane.searchLine == 4)
        _ = d.update(.key(.character("N")))
        #expect(d.logPane.searchLine == 58, "N wraps around to the last hit (line 59)")
        _ = d.update(.key(.end))
        #expect(d.follow)
    }

    @Test func pastRunIsReadOnlyAndResumable() {
        var d = Dashboard(mode: .browser, themes: ThemeResolver.builtins, ascii: false)
        _ = d.update(.resize(width: 100, height: 24))
        _ = d.update(.historyRuns(HistoryFixture.summaries))
        _ = d.update(.pastRun(HistoryFixture.detail, dependsOn: HistoryFixture.detail.storedDependencies()))
        #expect(d.screen == .run)
        #expect(d.update(.key(.character("R"))).isEmpty)
        #expect(d.render().text.contains("read-only"))
        #expect(d.update(.key(.character("r"))) == [.resume(runId: "20251124-140000-cd34")])
        _ = d.update(.key(.escape))
        #expect(d.screen == .browser, "Esc goes back to the browser")
        // Selecting another job asks for its log once.
        _ = d.update(.pastRun(HistoryFixture.detail, dependsOn: HistoryFixture.detail.storedDependencies()))
        #expect(d.update(.key(.right)) == [.loadLogs(runId: "20251124-140000-cd34", job: "clean", attempt: 1)])
        _ = d.update(.key(.left))
        #expect(d.update(.key(.right)).isEmpty, "already loaded")
    }

    @Test func resumeFromTheBrowserSwitchesToTheNewLiveRun() {
        var d = Dashboard(mode: .browser, themes: ThemeResolver.builtins, ascii: false)
        _ = d.update(.historyRuns(HistoryFixture.summaries))
        _ = d.update(.key(.down))
        #expect(d.update(.key(.character("r"))).isEmpty, "a succeeded run has nothing to resume")
        _ = d.update(.key(.down))
        #expect(d.update(.key(.character("r"))) == [.resume(runId: "20251124-140000-cd34")])
        var f = LiveRunFixture()
        f.send(.start, at: 0)
        _ = d.update(.live(f.snapshot))
        #expect(d.screen == .run)
        #expect(d.wantsTicks)
    }

    @Test func aRunGoingOnInAnotherProcessShowsAsRunning() {
        var d = Dashboard(mode: .browser, themes: ThemeResolver.builtins, ascii: false)
        _ = d.update(.resize(width: 100, height: 24))
        var detail = HistoryFixture.detail
        detail.summary = HistoryFixture.summaries[2]
        _ = d.update(.pastRun(detail, dependsOn: detail.storedDependencies()))
        #expect(d.wantsTicks)
        #expect(d.pastRunToRefresh == "20251124-160000-ab12", "the session keeps re-sending it")
        #expect(d.render().text.contains("RUNNING (ANOTHER PROCESS)"))
        // The refresh keeps the selection and asks again for the log of a job that is not final.
        detail.jobs[2].state = "running"
        detail.jobs[2].attempts = 1
        _ = d.update(.key(.end))
        #expect(d.selectedJob == 2)
        #expect(d.update(.pastRun(detail, dependsOn: detail.storedDependencies())) == [.loadLogs(runId: "20251124-160000-ab12", job: "load", attempt: 1)])
        #expect(d.selectedJob == 2)
        detail.summary.state = .succeeded
        _ = d.update(.pastRun(detail, dependsOn: detail.storedDependencies()))
        #expect(d.pastRunToRefresh == nil)
        #expect(!d.wantsTicks)
    }

    @Test func failedEffectsAreShown() {
        var (_, d) = Self.story()
        _ = d.update(.failed("history unreadable: \u{1B}[2J disk full"))
        let text = d.render().text
        #expect(text.contains("history unreadable:  disk full"))
    }
}
