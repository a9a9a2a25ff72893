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

    /// Checks a snapshot; in ASCII mode under `NAME-ascii` and with nothing but ASCII in the frame.
    static func snapshot(_ text: String, _ name: String, ascii: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        SnapshotFile.check(text, ascii ? name + "-ascii" : name, sourceLocation: sourceLocation)
        if ascii { #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII mode draws ASCII only", sourceLocation: sourceLocation) }
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

    @Test(arguments: [false, true])
    func listModeGroupedByLevelAndFiltered(ascii: Bool) {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, ascii: ascii)
        _ = d.update(.key(.character("l")))
        Self.snapshot(d.render().text, "list", ascii: ascii)
        _ = d.update(.key(.character("/")))
        for c in "clean" { _ = d.update(.key(.character(c))) }
        _ = d.update(.key(.enter))
        let text = d.render().text
        Self.snapshot(text, "list-filtered", ascii: ascii)
        #expect(!text.contains("report"))
    }

    @Test(arguments: [false, true])
    func detailsOfADelayedJobCountDown(ascii: Bool) throws {
        var f = LiveRunFixture(retries: 2)
        f.send(.start, at: 0)
        f.start("extract", at: 1)
        f.finish("extract", code: 3, at: 2)
        var d = LiveRunFixture.dashboard(&f, ascii: ascii)
        var frame = d.render()
        #expect(frame.text.contains("retry backoff; next try in"))
        let before = frame.text
        _ = d.update(.tick(now: LiveRunFixture.origin + 7))
        frame = d.render()
        #expect(frame.text != before, "the countdown moves with ticks")
        #expect(d.wantsTicks)
        Self.snapshot(frame.text, "details-delayed", ascii: ascii)
    }

    @Test(arguments: [false, true])
    func logsWithSearchHits(ascii: Bool) throws {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, ascii: ascii)
        _ = d.update(.key(.right))
        _ = d.update(.key(.down))  // clean-b
        _ = d.update(.key(.enter))
        _ = d.update(.key(.character("/")))
        for c in "batch 1" { _ = d.update(.key(.character(c))) }
        _ = d.update(.key(.enter))
        let frame = d.render()
        Self.snapshot(frame.text, "logs-search", ascii: ascii)
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

    @Test(arguments: [false, true])
    func timeline(ascii: Bool) throws {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, ascii: ascii)
        _ = d.update(.key(.character("t")))
        let frame = d.render()
        Self.snapshot(frame.text, "timeline", ascii: ascii)
        let bar = try #require(Self.find(ascii ? "#" : "█", in: frame))
        #expect(frame[bar.x, bar.y].role == .stateSucceeded, "extract's bar")
    }

    @Test(arguments: [false, true])
    func helpOverlay(ascii: Bool) {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, ascii: ascii)
        _ = d.update(.key(.character("?")))
        Self.snapshot(d.render().text, "help", ascii: ascii)
    }

    @Test(arguments: [false, true])
    func tooSmall(ascii: Bool) {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, ascii: ascii)
        _ = d.update(.resize(width: 40, height: 10))
        let text = d.render().text
        Self.snapshot(text, "too-small", ascii: ascii)
        #expect(text.contains("need 60x16, have 40x10"))
    }

    @Test(arguments: [false, true])
    func historyBrowserAndPastRun(ascii: Bool) throws {
        let themes = ThemeResolver.builtins
        var d = Dashboard(mode: .browser, themes: themes, ascii: ascii)
        _ = d.update(.resize(width: 100, height: 20))
        _ = d.update(.tick(now: LiveRunFixture.origin + 3600))
        _ = d.update(.historyRuns(HistoryFixture.summaries))
        Self.snapshot(d.render().text, "browser", ascii: ascii)
        _ = d.update(.key(.character("/")))
        _ = d.update(.key(.character("f")))
        _ = d.update(.key(.character("a")))
        let filtered = d.render().text
        Self.snapshot(filtered, "browser-filtered", ascii: ascii)
        #expect(!filtered.contains("succeeded  "))
        _ = d.update(.key(.enter))
        let open = d.update(.key(.enter))
        #expect(open == [.openPastRun(runId: "20251124-140000-cd34")])
        let load = d.update(.pastRun(HistoryFixture.detail, dependsOn: HistoryFixture.detail.storedDependencies()))
        #expect(load == [.loadLogs(runId: "20251124-140000-cd34", job: "extract", attempt: 1), .loadComparison(runId: "20251124-140000-cd34")])
        _ = d.update(.pastLogs(runId: "20251124-140000-cd34", job: "extract", attempt: 1,
                               lines: [StoredLogLine(sequence: 5, time: LiveRunFixture.origin, attempt: 1, stream: .stdout,
                                                     bytes: Array("stored line \u{1B}[31mred\u{1B}[0m".utf8))]))
        let past = d.render()
        Self.snapshot(past.text, "past-run", ascii: ascii)
        #expect(past.text.contains("stored line red"))
        #expect(d.update(.key(.character("r"))) == [.resume(runId: "20251124-140000-cd34")])
    }
}

extension ViewSnapshotTests {
    @Test(arguments: [false, true])
    func wrappedLongLinesAndTheCutOfAHugeLine(ascii: Bool) {
        var f = LiveRunFixture([("wide", [])])
        f.send(.start, at: 0)
        f.start("wide", at: 1)
        f.log("wide", [Array(("a long line that wraps " + String(repeating: "0123456789", count: 8)).utf8),
                       [UInt8](repeating: UInt8(ascii: "z"), count: 100_000)])
        var d = LiveRunFixture.dashboard(&f, width: 80, height: 24, ascii: ascii)
        _ = d.update(.key(.enter))
        _ = d.update(.key(.character("w")))
        let text = d.render().text
        Self.snapshot(text, "logs-wrapped", ascii: ascii)
        #expect(text.contains("z... (95904 more bytes)"))
    }
}

extension ViewSnapshotTests {
    /// A name cut to fit ends in an ellipsis in every view, so it never reads as a whole, different name.
    @Test(arguments: [false, true])
    func longNamesEndInAnEllipsis(ascii: Bool) throws {
        let long = "load-customer-lifetime-value-snapshot-for-every-region"
        var f = LiveRunFixture([(long, []), ("short", [long])])
        f.send(.start, at: 0)
        f.start(long, at: 1)
        let mark = ascii ? "~" : "…"
        for key in ["", "l", "t"] {
            var d = LiveRunFixture.dashboard(&f, width: 100, height: 24, ascii: ascii)
            if let c = key.first { _ = d.update(.key(.character(c))) }
            let rows = d.render().text.split(separator: "\n").filter { $0.contains("load-customer") }
            #expect(rows.count >= 2, "view '\(key)' shows the job and its details")
            for row in rows {
                let rest = row[row.range(of: "load-customer")!.lowerBound...]
                #expect(!rest.contains(long), "view '\(key)' cuts the name")
                #expect(rest.contains(mark), "view '\(key)' marks the cut: \(row)")
            }
        }
    }
}
