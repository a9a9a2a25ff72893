import Foundation
import MetaJobCore
import Testing
@testable import MetaJobRunner

/// Status checks timed by expectation on the state machine itself (manual clock, no socket): a job whose usual
/// duration is known is checked rarely early and densely around its expected end, never more often than the
/// fixed interval allows; a job without one keeps the fixed interval.
@Suite("Remote state: status checks timed by expectation")
struct RemoteStateExpectationTests {
    typealias M = RemoteMachine

    /// Runs job `a` (started at 0, its execution known at once) until the service says it ended at `end`;
    /// returns the times of its status checks.
    static func checkTimes(_ m: inout M, end: Double) -> [Double] {
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        var times: [Double] = []
        while m.state.attempts[M.key(0)]?.phase == .polling {
            guard let at = m.advanceToNextWake() else { break }
            times.append(at)
            m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", m.now >= end ? "succeeded" : "running"))
        }
        m.answer("GET", "/logs", 200, json: ["logs": ""])
        #expect(m.events.last?.hasPrefix("finished") == true, "\(m.events)")
        return times
    }

    @Test func rareEarlyDenseAroundTheExpectedEnd() {
        var m = M(interval: 40, expected: ["a": DurationEstimate(median: 900, p90: 1000)])
        let times = Self.checkTimes(&m, end: 905)
        #expect(times.filter { $0 < 300 }.isEmpty, "the fixed interval checks 7 times in the first 300 s: \(times)")
        #expect(times.filter { $0 >= 860 && $0 <= 940 }.count >= 4, "\(times)")
        let noticed = times.last!
        #expect(noticed >= 905 && noticed - 905 <= 10, "ended at 905, noticed at \(noticed)")
        #expect(times.count <= Int((905.0 / 40).rounded(.up)), "never more checks than the fixed interval: \(times.count)")
        for (k, t) in times.enumerated() { #expect(t >= Double(k + 1) * 40 - 1e-9, "check \(k + 1) at \(t)") }
    }

    @Test func aJobWithoutHistoryKeepsTheFixedInterval() {
        var m = M(interval: 40, expected: ["other": DurationEstimate(median: 900, p90: 1000)])
        let times = Self.checkTimes(&m, end: 200)
        // The first check comes 0.75–1 interval after the start, then one per interval.
        #expect(times.count == 5 || times.count == 6, "\(times)")
        #expect(times.first! >= 30 && times.first! <= 40)
        for (a, b) in zip(times, times.dropFirst()) { #expect(abs(b - a - 40) < 1e-9) }
    }

    @Test func anUnexpectedlyLongJobFallsBackToTheIntervalAndAFailedCheckBacksOff() {
        var m = M(interval: 40, expected: ["a": DurationEstimate(median: 100, p90: 120)])
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        var times: [Double] = []
        while let at = m.advanceToNextWake(), at < 600 {
            times.append(at)
            m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "running"))
        }
        let late = times.filter { $0 > 200 }
        for (a, b) in zip(late, late.dropFirst()) { #expect(abs(b - a - 40) < 1e-9, "past the window: every interval, \(times)") }
        // A failed check backs off as before.
        let before = m.now
        m.fail("GET", "/executions/a-1", .timedOut)
        let next = m.advanceToNextWake()!
        #expect(next - before >= 80 - 1e-9, "backed off: \(next - before)")
    }

    @Test func aReattachedExecutionCountsFromItsStartOnTheService() {
        var m = M(interval: 40, adopt: ["a": "a-7"], expected: ["a": DurationEstimate(median: 900, p90: 1000)])
        m.start("a", job: 0)
        // The execution has run 880 s already: its expected end is 20 s away, so the next check is soon.
        m.answer("GET", "/executions/a-7", 200, json: M.execution("a-7", "running", start: m.wall - 880))
        let first = m.advanceToNextWake()!
        #expect(first <= 40, "checked within an interval, at \(first)")
    }
}
