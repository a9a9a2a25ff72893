import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner

/// Live logs on the state machine alone: read while someone watches, only new lines, nothing extra otherwise.
@Suite("Remote executor's state machine: live logs (no socket)")
struct RemoteStateLiveLogsTests {
    typealias M = RemoteMachine
    static let a0 = "job#0/attempt 1"

    /// A running job `a` (execution a-1) checked every `interval`.
    static func running(interval: Double = 40, watched: Set<Int> = []) -> RemoteMachine {
        var m = M(interval: interval)
        if !watched.isEmpty { m.watch(watched) }
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        return m
    }

    /// Moves the clock to `time`, answering each request as it goes out: status checks with `status`, logs
    /// reads with `logs` (404 when nil).
    static func serve(_ m: inout RemoteMachine, until time: Double, logs: String?, status: String = "running") {
        while true {
            if let request = m.open.values.filter({ $0.method == "GET" }).min(by: { $0.ticket < $1.ticket }) {
                if !request.path.hasSuffix("/logs") {
                    m.answer("GET", request.path, 200, json: M.execution("a-1", status))
                } else if let logs {
                    m.answer("GET", request.path, 200, json: ["logs": logs])
                } else {
                    m.answer("GET", request.path, 404)
                }
                continue
            }
            guard let due = m.wakes.values.min(), due <= time else { break }
            m.advance(to: due)
        }
        m.advance(to: time)
    }

    @Test func unwatchedJobsLogsAreReadOnlyAtTheEnd() {
        var m = Self.running()
        m.watch([1, 2])   // other jobs
        Self.serve(&m, until: 400, logs: "x\n")
        #expect(m.requests("GET", "/logs").isEmpty)
        #expect(m.requests("GET", "/executions/a-1").count == 10)
        Self.serve(&m, until: 440, logs: "x\n", status: "succeeded")
        #expect(m.requests("GET", "/logs").count == 1)
        #expect(m.events.suffix(2) == ["stdout \(Self.a0) [\"x\"]", "finished \(Self.a0) succeeded: -"])
    }

    @Test func watchedJobsLogsAreReadEveryFiveSecondsAndOnlyNewLinesPassedOn() {
        var m = Self.running(interval: 1000, watched: [0])
        let texts = ["", "one\n", "one\ntw", "one\ntwo\nsame\n", "one\ntwo\nsame\nsame\n", "one\ntwo\nsame\nsame\n"]
        for (i, text) in texts.enumerated() {
            Self.serve(&m, until: 5 * Double(i + 1) - 0.001, logs: nil)
            m.advance(to: 5 * Double(i + 1))
            #expect(m.open.count == 1 && m.open.values.first?.path.hasSuffix("/logs") == true, "a read at \(m.now) s")
            m.answer("GET", "/logs", 200, json: ["logs": text])
        }
        #expect(m.requests("GET", "/logs").count == 6 && m.requests("GET", "/executions/a-1").isEmpty)
        #expect(m.events == ["started \(Self.a0) a-1", "stdout \(Self.a0) [\"one\"]", "stdout \(Self.a0) [\"two\", \"same\"]",
                             "stdout \(Self.a0) [\"same\"]"])
        // The end: the final read adds the rest, and nothing is read after it.
        Self.serve(&m, until: 2000, logs: "one\ntwo\nsame\nsame\nlast words", status: "succeeded")
        #expect(m.events.suffix(2) == ["stdout \(Self.a0) [\"last words\"]", "finished \(Self.a0) succeeded: -"])
        let count = m.sent.count
        m.advance(by: 1000)
        #expect(m.sent.count == count && m.state.attempts.isEmpty)
    }

    @Test func watchedJobsLogsAreReadAtLeastEveryFiveSecondsWhatever_theInterval() {
        for interval in [0.5, 2, 40, 600] {
            var m = Self.running(interval: interval, watched: [0])
            Self.serve(&m, until: 60, logs: "x\n")
            let reads = m.requests("GET", "/logs").count
            let period = min(5, interval)
            #expect(Double(reads) >= (60 / period).rounded(.down) - 1, "interval \(interval): \(reads) reads in 60 s")
            #expect(Double(reads) <= 60 / period + 1, "interval \(interval): \(reads) reads in 60 s")
        }
    }

    @Test func watchingARunningJobReadsAtOnceAndUnwatchingStops() {
        var m = Self.running()
        Self.serve(&m, until: 10, logs: nil)
        m.watch([0])
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions/a-1/logs", "read at once")
        m.answer("GET", "/logs", 200, json: ["logs": "x\n"])
        #expect(m.events.last == "stdout \(Self.a0) [\"x\"]")
        m.watch([0])   // the same set again: no second read
        #expect(m.requests("GET", "/logs").count == 1)
        m.watch([])
        Self.serve(&m, until: 300, logs: "x\n")
        #expect(m.requests("GET", "/logs").count == 1, "no reads while nobody watches")
        m.watch([0])
        #expect(m.requests("GET", "/logs").count == 2, "watched again: read at once")
        m.answer("GET", "/logs", 200, json: ["logs": "x\ny\n"])
        #expect(m.events.last == "stdout \(Self.a0) [\"y\"]")
    }

    @Test func aJobWatchedBeforeItStartsIsReadOnceItRuns() {
        var m = M(interval: 1000)
        m.watch([0])
        m.start("a", job: 0)
        m.advance(by: 100)
        #expect(m.requests("GET", "/logs").isEmpty, "no execution yet")
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions/a-1/logs")
        #expect(m.now == 105)
    }

    @Test func failedLiveReadsBackOffAndAreNotShown() {
        var m = Self.running(interval: 1000, watched: [0])
        Self.serve(&m, until: 5 + 10 + 20 + 40 + 1, logs: nil)
        let times = m.requests("GET", "/logs").count
        #expect(times == 4, "reads at 5, 15, 35 and 75 s: \(times)")
        #expect(m.events == ["started \(Self.a0) a-1"], "a refused live read is no failure and no line")
        Self.serve(&m, until: 155, logs: "ok\n")
        #expect(m.requests("GET", "/logs").count == 5, "the next at 155 s")
        Self.serve(&m, until: 160, logs: "ok\n")
        #expect(m.requests("GET", "/logs").count == 6, "back to every 5 s after a success")
        #expect(m.events.last == "stdout \(Self.a0) [\"ok\"]")
    }

    @Test func aLiveReadAnsweredAfterTheEndWasSeenNeitherRepeatsNorDropsALine() {
        var m = Self.running(interval: 5, watched: [0])
        // 3.75 s: the first status check; 5 s: the first live read; answer the check when both are out.
        m.advance(to: 5)
        #expect(m.open.count == 2)
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "succeeded"))
        #expect(m.open.count == 2, "the final read is out beside the live one")
        m.answer("GET", "/logs", 200, json: ["logs": "1\n2\n"])     // the live read
        m.answer("GET", "/logs", 200, json: ["logs": "1\n2\n3\n"])  // the final read
        #expect(m.events == ["started \(Self.a0) a-1", "stdout \(Self.a0) [\"1\", \"2\"]", "stdout \(Self.a0) [\"3\"]",
                             "finished \(Self.a0) succeeded: -"])
    }

    @Test func aLiveReadAnsweredAfterTheFinalOneChangesNothing() {
        var m = Self.running(interval: 5, watched: [0])
        m.advance(to: 5)
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "succeeded"))
        let live = m.requests("GET", "/logs")[0], final = m.requests("GET", "/logs")[1]
        m.feed(.answered(ticket: final.ticket, .success(HTTPReply(status: 200, headers: [:], body: Data(#"{"logs":"1\n2\n"}"#.utf8)))))
        m.feed(.answered(ticket: live.ticket, .success(HTTPReply(status: 200, headers: [:], body: Data(#"{"logs":"1\n"}"#.utf8)))))
        #expect(m.events == ["started \(Self.a0) a-1", "stdout \(Self.a0) [\"1\", \"2\"]", "finished \(Self.a0) succeeded: -"])
    }

    @Test func refusedFinalReadKeepsTheLinesReadAndAddsTheLineBeingWrittenAndThePointer() {
        var m = Self.running(interval: 1000, watched: [0])
        Self.serve(&m, until: 6, logs: "1\nhal")
        m.advance(to: 750)
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "succeeded", logsURL: "https://logs/a-1"))
        for request in m.open.values.sorted(by: { $0.ticket < $1.ticket }) {
            m.feed(.answered(ticket: request.ticket, .success(HTTPReply(status: 404, headers: [:], body: Data()))))
        }
        #expect(m.events == ["started \(Self.a0) a-1", "stdout \(Self.a0) [\"1\"]", "stdout \(Self.a0) [\"hal\"]",
                             "stderr \(Self.a0) [\"metajob: the Control Service did not give the logs of execution a-1 (HTTP 404); they are kept at https://logs/a-1\"]",
                             "finished \(Self.a0) succeeded: -"])
    }

    @Test func aCutLogSaysLinesMayBeMissing() {
        var m = Self.running(interval: 1000, watched: [0])
        Self.serve(&m, until: 6, logs: "1\n2\n")
        Self.serve(&m, until: 11, logs: "9\n10\n")
        #expect(m.events.suffix(2) == [
            "stderr \(Self.a0) [\"metajob: the logs of execution a-1 no longer begin as they did when last read; lines written in between may be missing\"]",
            "stdout \(Self.a0) [\"9\", \"10\"]"])
    }
}
