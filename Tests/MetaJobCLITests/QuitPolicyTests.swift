import Foundation
import Testing
import MetaJobCore
import MetaJobScreen
@testable import MetaJobCLI

/// The dashboard's quit / drain / signal rules, without a terminal or a run.
@Suite("Quit policy")
struct QuitPolicyTests {
    static func run(going: Bool = true, slots: Int) -> LiveRunStatus { LiveRunStatus(runId: "r", isGoing: going, slotsUsed: slots) }

    @Test func quittingWithNothingGoingLeavesAtOnce() {
        var p = QuitPolicy(cancelOnQuit: false)
        #expect(p.quit(stopRunning: false, run: nil) == [.finish])
        var q = QuitPolicy(cancelOnQuit: false)
        #expect(q.quit(stopRunning: false, run: Self.run(going: false, slots: 0)) == [.finish])
    }

    @Test func quitWithoutStoppingDrainsThenStopsThenLeaves() {
        var p = QuitPolicy(cancelOnQuit: false)
        let first = p.quit(stopRunning: false, run: Self.run(slots: 2))
        #expect(first.first == .closeTerminal && first.last == .send(.pause) && p.draining)
        #expect(p.quit(stopRunning: true, run: Self.run(slots: 2)).isEmpty, "a second quit changes nothing")
        #expect(p.runChanged(Self.run(slots: 1)).isEmpty, "jobs still run: wait")
        #expect(p.runChanged(Self.run(slots: 0)) == [.send(.stop(immediate: false))], "idle: the rest end not_run")
        #expect(!p.draining && p.runChanged(Self.run(slots: 0)).isEmpty, "stopped once")
        #expect(p.runChanged(Self.run(going: false, slots: 0)) == [.finish])
    }

    @Test func quitWithStopOrCancelPolicyStopsAtOnce() {
        var p = QuitPolicy(cancelOnQuit: false)
        #expect(p.quit(stopRunning: true, run: Self.run(slots: 1)).last == .send(.stop(immediate: false)))
        var q = QuitPolicy(cancelOnQuit: true)
        #expect(q.quit(stopRunning: false, run: Self.run(slots: 1)).last == .send(.stop(immediate: false)))
        #expect(!q.draining)
    }

    @Test func signalsStopLikeHeadlessAndTheFirstDecidesTheExit() {
        var p = QuitPolicy(cancelOnQuit: false)
        _ = p.quit(stopRunning: false, run: Self.run(slots: 1))
        #expect(p.signal(SIGTERM, immediate: false, run: Self.run(slots: 1)) == [.send(.stop(immediate: false))])
        #expect(!p.draining, "a signal ends the drain: it stops now")
        #expect(p.signal(SIGINT, immediate: true, run: Self.run(slots: 1)) == [.send(.stop(immediate: true))])
        #expect(p.signal == SIGTERM)
        #expect(p.runChanged(Self.run(going: false, slots: 0)) == [.finish])
        var idle = QuitPolicy(cancelOnQuit: false)
        #expect(idle.signal(SIGINT, immediate: false, run: nil) == [.finish] && idle.signal == SIGINT)
    }

    /// Detaching leaves a going run alone (nothing is sent to it) and the session at once; a run that has ended
    /// has nothing to detach from; after a quit has begun, detach is no longer an option.
    @Test func detachLeavesTheRunGoingAndSendsItNothing() {
        var p = QuitPolicy(cancelOnQuit: true)
        #expect(p.detach(run: Self.run(slots: 2)) == [.detach, .finish])
        #expect(p.detached && p.quitting)
        #expect(p.quit(stopRunning: true, run: Self.run(slots: 2)).isEmpty, "nothing after detaching")
        var ended = QuitPolicy(cancelOnQuit: false)
        #expect(ended.detach(run: Self.run(going: false, slots: 0)) == [.finish])
        #expect(!ended.detached)
        var stopping = QuitPolicy(cancelOnQuit: false)
        _ = stopping.quit(stopRunning: true, run: Self.run(slots: 1))
        #expect(stopping.detach(run: Self.run(slots: 1)).isEmpty && !stopping.detached)
    }

    @Test func nothingHappensBeforeTheUserQuits() {
        var p = QuitPolicy(cancelOnQuit: false)
        #expect(p.runChanged(Self.run(going: false, slots: 0)).isEmpty, "a finished run stays on screen")
    }
}

/// An attached dashboard (`metajob attach`) never stops the run it shows: quitting and signals only detach.
@Suite("quit policy, attached")
struct AttachedQuitPolicyTests {
    @Test func quitAndSignalsDetachWithoutTouchingTheRun() {
        let going = LiveRunStatus(runId: "R", isGoing: true, slotsUsed: 3)
        var p = QuitPolicy(cancelOnQuit: true, detachOnQuit: true)
        #expect(p.quit(stopRunning: true, run: going) == [.finish])
        var q = QuitPolicy(cancelOnQuit: false, detachOnQuit: true)
        #expect(q.signal(SIGINT, immediate: false, run: going) == [.finish])
        #expect(q.signal == SIGINT)
    }
}
