import MetaJobCore
import Testing
@testable import MetaJobScreen

/// Every view rendered into a buffer and compared with `Snapshots/*.txt`, plus roles at telling cells.
@Suite("Dashboard views: snapshots")
struct ViewSnapshotTests {
    /// Where `text` first appears in `buffer`: (x, y).
    static func find(_ text: String, in buffer: CellBuffer) -> (x: Int, y: Int)? {
        for y in 0..<buffer.height {
            let row = Array(buffer.row(y))
            let needle = Array(text)
            guard needle.count <= row.count else { continue }
            for x in 0...(row.count - needle.count) where Array(row[x ..< x + needle.count]) == needle { return (x, y) }
        }
        return nil
    }

    @Test func liveDagWithEdgesStatesAndHighlight() throws {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, width: 140)
        _ = d.update(.key(.down))  // no job below extract in its column
        _ = d.update(.key(.right))  // clean-a
        let frame = d.render()
        SnapshotFile.check(frame.text, "live-dag")
        let failed = try #require(Self.find("✗ clean-a", in: frame))
        #expect(frame[failed.x, failed.y].role == .stateUserError, "a failed job's glyph has its state's role")
        #expect(frame[failed.x, failed.y + 1].role == .stateUserError)
        #expect(frame[failed.x + 2, failed.y].role == .selection)
        let extract = try #require(Self.find("extract", in: frame))
        #expect(frame[extract.x, extract.y].role == .upstream)
        let load = try #require(Self.find(" load", in: frame))
        #expect(frame[load.x + 1, load.y].role == .downstream)
        #expect(!frame.text.contains("\u{1B}"))
    }

    @Test func liveDagInASCII() {
        var f = LiveRunFixture.story()
        let d = LiveRunFixture.dashboard(&f, ascii: true, theme: "mono")
        let text = d.render().text
        SnapshotFile.check(text, "live-dag-ascii")
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII mode draws ASCII only")
    }

    @Test func listModeGroupedByLevelAndFiltered() {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.character("l")))
        SnapshotFile.check(d.render().text, "list")
        _ = d.update(.key(.character("/")))
        for c in "clean" { _ = d.update(.key(.character(c))) }
        _ = d.update(.key(.enter))
        let text = d.render().text
        SnapshotFile.check(text, "list-filtered")
        #expect(!text.contains("report"))
    }

    @Test func detailsOfADelayedJobCountDown() throws {
        var f = LiveRunFixture(retries: 2)
        f.send(.start, at: 0)
        f.start("extract", at: 1)
        f.finish("extract", code: 3, at: 2)
        var d = LiveRunFixture.dashboard(&f)
        var frame = d.render()
        #expect(frame.text.contains("retry backoff; next try in"))
        let before = frame.text
        _ = d.update(.tick(now: LiveRunFixture.origin + 7))
        frame = d.render()
        #expect(frame.text != before, "the countdown moves with ticks")
        #expect(d.wantsTicks)
        SnapshotFile.check(frame.text, "details-delayed")
    }

    @Test func logsWithSearchHits() throws {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.right))
        _ = d.update(.key(.down))  // clean-b
        _ = d.update(.key(.enter))
        _ = d.update(.key(.character("/")))
        for c in "batch 1" { _ = d.update(.key(.character(c))) }
        _ = d.update(.key(.enter))
        let frame = d.render()
        SnapshotFile.check(frame.text, "logs-search")
        let hit = try #require(Self.find("row batch 1 ", in: frame))
        #expect(frame[hit.x + 4, hit.y].role == .searchCurrent)
        #expect(frame[hit.x, hit.y].role == .normal)
        let other = try #require(Self.find("row batch 10", in: frame))
        #expect(frame[other.x + 4, other.y].role == .searchHit)
        _ = d.update(.key(.character("n")))
        let next = d.render()
        let moved = try #require(Self.find("row batch 10", in: next))
        #expect(next[moved.x + 4, moved.y].role == .searchCurrent, "n moves to the next hit")
    }

    @Test func timeline() throws {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.character("t")))
        let frame = d.render()
        SnapshotFile.check(frame.text, "timeline")
        let bar = try #require(Self.find("█", in: frame))
        #expect(frame[bar.x, bar.y].role == .stateSucceeded, "extract's bar")
    }

    @Test func helpOverlay() {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.character("?")))
        SnapshotFile.check(d.render().text, "help")
    }

    @Test func tooSmall() {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.resize(width: 40, height: 10))
        let text = d.render().text
        SnapshotFile.check(text, "too-small")
        #expect(text.contains("need 60x16, have 40x10"))
    }

    @Test func historyBrowserAndPastRun() throws {
        let themes = ThemeResolver.builtins
        var d = Dashboard(mode: .browser, themes: themes, ascii: false)
        _ = d.update(.resize(width: 100, height: 20))
        _ = d.update(.tick(now: LiveRunFixture.origin + 3600))
        _ = d.update(.historyRuns(HistoryFixture.summaries))
        SnapshotFile.check(d.render().text, "browser")
        _ = d.update(.key(.character("/")))
        _ = d.update(.key(.character("f")))
        _ = d.update(.key(.character("a")))
        let filtered = d.render().text
        SnapshotFile.check(filtered, "browser-filtered")
        #expect(!filtered.contains("succeeded  "))
        _ = d.update(.key(.enter))
        let open = d.update(.key(.enter))
        #expect(open == [.openPastRun(runId: "20251124-140000-cd34")])
        let load = d.update(.pastRun(HistoryFixture.detail))
        #expect(load == [.loadLogs(runId: "20251124-140000-cd34", job: "extract", attempt: 1)])
        _ = d.update(.pastLogs(runId: "20251124-140000-cd34", job: "extract", attempt: 1,
                               lines: [StoredLogLine(sequence: 5, time: LiveRunFixture.origin, attempt: 1, stream: .stdout,
                                                     bytes: Array("stored line \u{1B}[31mred\u{1B}[0m".utf8))]))
        let past = d.render()
        SnapshotFile.check(past.text, "past-run")
        #expect(past.text.contains("stored line red"))
        #expect(d.update(.key(.character("r"))) == [.resume(runId: "20251124-140000-cd34")])
    }
}
