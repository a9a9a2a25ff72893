import MetaJobCore
import Testing
@testable import MetaJobScreen

/// The browser's "what changed" view, the attempts table, and keeping what the logs say (`s`, `y`).
@Suite("Dashboard: what changed, attempts, saving and copying logs")
struct ComparisonViewTests {
    /// The fixture's failed run and an earlier run of the same meta job where everything succeeded faster.
    static var earlier: RunDetail {
        var detail = HistoryFixture.detail
        detail.summary.runId = "20251123-140000-aa11"
        detail.summary.state = .succeeded
        for i in detail.jobs.indices {
            detail.jobs[i].state = "succeeded"
            detail.jobs[i].attempts = 1
            detail.jobs[i].startedAt = HistoryFixture.origin - 90_000 + Double(i) * 20
            detail.jobs[i].endedAt = detail.jobs[i].startedAt! + (i == 0 ? 10 : 60)
        }
        return detail
    }

    /// The dashboard on the fixture's past run with its comparison answered.
    static func opened(ascii: Bool = false, width: Int = 120) -> Dashboard {
        var d = Dashboard(mode: .browser, themes: ThemeResolver.builtins, ascii: ascii)
        _ = d.update(.resize(width: width, height: 24))
        let effects = d.update(.pastRun(HistoryFixture.detail, dependsOn: HistoryFixture.detail.storedDependencies()))
        #expect(effects.contains(.loadComparison(runId: HistoryFixture.detail.summary.runId)))
        #expect(d.graphMode == .dag, "until the comparison arrives the run shows as before")
        let comparison = RunComparison(current: HistoryFixture.detail, previous: earlier)
        _ = d.update(.comparison(runId: HistoryFixture.detail.summary.runId, comparison))
        return d
    }

    @Test(arguments: [false, true])
    func aPastRunOpensOnWhatChanged(ascii: Bool) throws {
        var d = Self.opened(ascii: ascii)
        #expect(d.graphMode == .changes)
        let text = d.render().text
        ViewSnapshotTests.snapshot(text, "changes", ascii: ascii)
        // extract: 10s → 40s is beyond both noise bounds; clean failed; load did not run.
        let extract = try #require(text.split(separator: "\n").first { $0.contains("extract") && $0.contains("slower") })
        #expect(extract.contains("10.00s") && extract.contains("40.00s"))
        #expect(text.contains(ascii ? "succeeded -> user_error" : "succeeded → user_error"))
        #expect(text.contains("2 of 3") == false && text.contains("3 of 3 jobs"), "all three changed")
        // C lists only the changed jobs; with every job changed the list is the same, so mark one unchanged.
        var same = Self.earlier
        same.jobs[0].endedAt = same.jobs[0].startedAt! + 40
        _ = d.update(.comparison(runId: HistoryFixture.detail.summary.runId, RunComparison(current: HistoryFixture.detail, previous: same)))
        _ = d.update(.key(.character("C")))
        let only = d.render().text
        ViewSnapshotTests.snapshot(only, "changes-only", ascii: ascii)
        #expect(!only.split(separator: "\n").contains { $0.contains("extract") && $0.contains("40.00s") }, "an unchanged job is not listed")
        #expect(!only.contains("same"))
        #expect(d.selectedJob == 1, "the selection moves to a listed job")
        _ = d.update(.key(.down))
        #expect(d.selectedJob == 2)
        _ = d.update(.key(.down))
        #expect(d.selectedJob == 2, "the end of the changed jobs")
        _ = d.update(.key(.character("C")))
        #expect(d.render().text.contains("extract"), "C again lists them all")
        _ = d.update(.key(.escape))
        #expect(d.graphMode == .dag)
        _ = d.update(.key(.character("C")))
        #expect(d.graphMode == .changes, "C opens it again")
    }

    @Test func noEarlierRunSaysSoAndStaysOnTheGraph() {
        var d = Dashboard(mode: .browser, themes: ThemeResolver.builtins, ascii: false)
        _ = d.update(.resize(width: 100, height: 24))
        _ = d.update(.pastRun(HistoryFixture.detail, dependsOn: nil))
        _ = d.update(.comparison(runId: HistoryFixture.detail.summary.runId, nil))
        #expect(d.graphMode == .dag)
        _ = d.update(.key(.character("C")))
        #expect(d.graphMode == .dag)
        #expect(d.render().text.contains("no earlier run of nightly"))
        // An answer for another run changes nothing.
        _ = d.update(.comparison(runId: "other", RunComparison(current: HistoryFixture.detail, previous: Self.earlier)))
        _ = d.update(.key(.character("C")))
        #expect(d.graphMode == .dag)
    }

    @Test func aLiveRunHasNoComparison() {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f)
        #expect(d.update(.key(.character("C"))) == [])
        #expect(d.graphMode != .changes)
        #expect(d.render().text.contains("C compares a past run"))
    }

    @Test(arguments: [false, true])
    func attemptsSideBySideInTheDetails(ascii: Bool) throws {
        var f = LiveRunFixture([("flaky", [])], retries: 2)
        f.send(.start, at: 0)
        f.start("flaky", at: 1)
        f.finish("flaky", code: 3, at: 5)
        var d = LiveRunFixture.dashboard(&f, width: 120, ascii: ascii)
        #expect(!d.render().text.contains("exit 3"), "one attempt: no table")
        // The retry after its backoff; then a second failure and a success.
        f.send(.timer, at: 20)
        f.start("flaky", at: 20)
        f.finish("flaky", code: 7, at: 21.5)
        f.send(.timer, at: 60)
        f.start("flaky", at: 60)
        f.finish("flaky", code: 0, at: 72)
        _ = d.update(.events(f.take()))
        let text = d.render().text
        ViewSnapshotTests.snapshot(text, "details-attempts", ascii: ascii)
        let lines = text.split(separator: "\n")
        // The list pane says "succeeded #3" too: the table's lines are those with an exit code.
        let first = try #require(lines.first { $0.contains("#1 ") && $0.contains("exit") })
        #expect(first.contains("exit 3") && first.contains("user_error"))
        let second = try #require(lines.first { $0.contains("#2 ") && $0.contains("exit") })
        #expect(second.contains("exit 7") && second.contains("1.50s"))
        let third = try #require(lines.first { $0.contains("#3 ") && $0.contains("exit") })
        #expect(third.contains("exit 0") && third.contains("succeeded") && third.contains("12.00s"))
    }

    @Test func attemptsOfAPastRunComeFromItsEvents() {
        var detail = HistoryFixture.detail
        func e(_ t: Double, _ s: String, _ a: Int, _ code: Int32? = nil) -> JobEventRecord {
            JobEventRecord(time: HistoryFixture.origin + t, state: s, attempt: a, exitCode: code, reason: nil, executionId: nil,
                           delayReason: nil, readyAt: nil)
        }
        detail.jobs[0].attempts = 2
        detail.jobs[0].events = [e(0, "submitted", 1), e(4, "user_error", 1, 9), e(4, "delayed", 1, 9), e(10, "submitted", 2), e(13, "succeeded", 2, 0)]
        var d = Dashboard(mode: .browser, themes: ThemeResolver.builtins, ascii: false)
        _ = d.update(.resize(width: 120, height: 30))
        _ = d.update(.pastRun(detail, dependsOn: nil))
        let text = d.render().text
        #expect(text.contains("#1") && text.contains("exit 9"))
        #expect(text.contains("#2") && text.contains("3.00s"))
    }

    @Test func sSuggestsAFileNameThatCanBeEditedAndSavesOnEnter() {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.character("s")))
        guard case .prompt(.saveLog(let job, let attempt), let suggested)? = d.overlay else {
            Issue.record("s opens the save prompt, got \(String(describing: d.overlay))")
            return
        }
        #expect(job == d.selectedJob && attempt >= 1)
        #expect(suggested == "nightly-20251124-160000-ab12-\(["extract", "clean-a", "clean-b", "load", "report"][job])-attempt\(attempt).log")
        #expect(d.render().text.contains("save to: " + suggested), "the name is shown before anything is written")
        // Typing edits the name and writes nothing yet.
        for _ in 0..<4 { #expect(d.update(.key(.backspace)) == []) }
        for c in ".txt" { #expect(d.update(.key(.character(c))) == []) }
        let name = String(suggested.dropLast(4)) + ".txt"
        #expect(d.update(.key(.enter)) == [.saveLog(runId: "20251124-160000-ab12", job: f.state.graph.names[job], attempt: attempt, path: name)])
        #expect(d.overlay == nil)
        _ = d.update(.logSaved(path: "/tmp/" + name, bytes: 42))
        #expect(d.render().text.contains("saved 42 bytes to /tmp/" + name))
        // Esc saves nothing.
        _ = d.update(.key(.character("s")))
        #expect(d.update(.key(.escape)) == [])
    }

    @Test func suggestedNamesHoldNoPathOrHiddenFile() {
        let name = Dashboard.suggestedLogName(metaJob: "../etc", runId: "r 1", job: "a/b\u{1B}[31m", attempt: 2)
        #expect(!name.contains("/") && !name.hasPrefix(".") && !name.contains(" ") && !name.contains("\u{1B}"))
        #expect(name.hasSuffix("-attempt2.log"))
    }

    @Test func yCopiesTheSearchHitAsTheScreenShowsIt() throws {
        var f = LiveRunFixture([("talker", [])])
        f.send(.start, at: 0)
        f.start("talker", at: 1)
        f.log("talker", [Array("first".utf8), Array("needle \u{1B}]52;c;ZXZpbA==\u{07} here\u{1B}[2J".utf8), Array("last".utf8)])
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.enter))
        #expect(d.update(.key(.character("y"))) == [.copyToClipboard("last")], "following: the newest line")
        _ = d.update(.key(.character("/")))
        for c in "needle" { _ = d.update(.key(.character(c))) }
        _ = d.update(.key(.enter))
        let effects = d.update(.key(.character("y")))
        guard case .copyToClipboard(let text)? = effects.first else {
            Issue.record("y copies, got \(effects)")
            return
        }
        #expect(text.hasPrefix("needle") && text.hasSuffix("here"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "no control reaches the clipboard")
        let sequence = ClipboardSequence.osc52(text)
        #expect(Array(sequence.prefix(7)) == Array("\u{1B}]52;c;".utf8) && sequence.last == 0x07)
        let payload = sequence.dropFirst(7).dropLast()
        #expect(payload.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || [0x2B, 0x2F, 0x3D].contains($0) },
                "only base64 between the sequence's own bytes")
        #expect(Base64.decode(String(decoding: payload, as: UTF8.self)) == Array(text.utf8))
    }

    @Test func aHugeLineIsCutBeforeTheTerminalsLimit() {
        let sequence = ClipboardSequence.osc52(String(repeating: "é", count: 100_000))
        let decoded = Base64.decode(String(decoding: sequence.dropFirst(7).dropLast(), as: UTF8.self))!
        #expect(decoded.count <= ClipboardSequence.maxTextBytes && decoded.count >= ClipboardSequence.maxTextBytes - 1)
        #expect(String(validating: decoded, as: UTF8.self) != nil, "cut on a character boundary")
    }
}
