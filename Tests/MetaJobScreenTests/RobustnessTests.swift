import MetaJobCore
import Testing
@testable import MetaJobScreen

/// Every key in every screen and size: nothing traps, every frame has the size asked for and no control character.
@Suite("Dashboard robustness")
struct RobustnessTests {
    static let keys: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .tab, .backTab,
                              .backspace, .ctrl("x"), .function(5)]
        + "hjklrRdcp+-tfwanN/?gGT".map { Key.character($0) } + [.escape, .escape]

    static func check(_ d: Dashboard) {
        let frame = d.render()
        #expect(frame.cells.count == d.width * d.height)
        #expect(!frame.cells.contains { $0.character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
    }

    @Test(arguments: [(60, 16), (80, 24), (200, 60), (59, 40), (10, 3), (0, 0)])
    func everyKeyAtEverySize(width: Int, height: Int) {
        var f = LiveRunFixture.story()
        var d = LiveRunFixture.dashboard(&f, width: width, height: height)
        for key in Self.keys {
            _ = d.update(.key(key))
            Self.check(d)
            if d.overlay != nil { _ = d.update(.key(.escape)) }
        }
        _ = d.update(.historyRuns(HistoryFixture.summaries))
        _ = d.update(.key(.character("H")))
        for key in Self.keys {
            _ = d.update(.key(key))
            Self.check(d)
            if d.overlay != nil { _ = d.update(.key(.escape)) }
        }
        _ = d.update(.pastRun(HistoryFixture.detail, dependsOn: HistoryFixture.detail.storedDependencies()))
        for key in Self.keys {
            _ = d.update(.key(key))
            Self.check(d)
            if d.overlay != nil { _ = d.update(.key(.escape)) }
        }
    }

    @Test func anEmptyRunAndOddTimes() {
        var f = LiveRunFixture([])
        f.send(.start, at: 0)
        var d = LiveRunFixture.dashboard(&f)
        for key in Self.keys { _ = d.update(.key(key)); Self.check(d); _ = d.update(.key(.escape)) }
        _ = d.update(.key(.enter))
        for key in Self.keys { _ = d.update(.key(key)); Self.check(d) }
        var g = LiveRunFixture.story()
        var e = LiveRunFixture.dashboard(&g)
        _ = e.update(.tick(now: .infinity))
        _ = e.update(.key(.character("t")))
        Self.check(e)
        #expect(e.render().text.contains("elapsed ?"))
    }

    @Test func aBigDagOpensAsTheListAndRefusesTheDrawingAboveTheLimit() {
        let jobs = (0..<2_500).map { ("n\($0)", $0 == 0 ? [String]() : ["n\(($0 - 1) / 2)"]) }
        var f = LiveRunFixture(jobs)
        f.send(.start, at: 0)
        var d = LiveRunFixture.dashboard(&f)
        #expect(d.graphMode == .list)
        _ = d.update(.key(.character("l")))
        #expect(d.graphMode == .list)
        #expect(d.render().text.contains("2500 jobs are too many to draw as a graph"))
        _ = d.update(.key(.character("t")))
        #expect(d.graphMode == .timeline)
        Self.check(d)
    }
}
