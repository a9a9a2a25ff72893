import Foundation
import Testing
import MetaJobCore
import MetaJobRunner
import MetaJobTestSupport

/// Live remote logs through the runner's API (`Runner.setWatched`) against the loopback Control Service.
@Suite("Remote live logs against a loopback Control Service", .serialized)
struct RemoteLiveLogsTests {
    typealias Script = FakeControlService.Script

    /// Line `i` of a job's log: every third one the same text, so a seam between identical lines is tested.
    static func line(_ i: Int) -> String { i % 3 == 0 ? "same" : "step \(i) of the job" }

    /// A log growing by a line every 50 ms for `seconds`, with the next line half written until the end.
    static func growing(_ seconds: Double) -> @Sendable (Double) -> String {
        { elapsed in
            let n = Int((elapsed + 0.001) / 0.05)
            var text = (0..<n).map { line($0) + "\n" }.joined()
            if elapsed < seconds - 0.01 { text += String(line(n).prefix(3)) }
            return text
        }
    }

    /// Index of the first event that is a log line of job `j`, and of the event that ends it.
    static func firstLogAndEnd(_ events: RunEvents, job j: Int) -> (log: Int?, end: Int?) {
        let all = events.events
        let log = all.firstIndex { if case .log(let job, _, _, _) = $0.kind { return job == j } else { return false } }
        let end = all.firstIndex { if case .job(let u) = $0.kind { return u.job == j && u.state.isFinal } else { return false } }
        return (log, end)
    }

    @Test func watchedJobsLinesArriveWhileItRunsEachExactlyOnce() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 2.0, growingLogs: Self.growing(2.0)),
                                                            "b": Script(runSeconds: 2.0, growingLogs: Self.growing(2.0))])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a"), RemoteRun.job("b")], server: server, interval: 0.1)
        runner.setWatched(jobs: [0])
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        let expected = (0..<40).map(Self.line)
        #expect(events.lines("a") == expected, "every line once, in order, none split at a seam")
        #expect(events.lines("b") == expected)
        let (log, end) = Self.firstLogAndEnd(events, job: 0)
        #expect(log != nil && end != nil && log! < end!, "a's lines arrived before its end")
        let bLogEvents = events.events.filter { if case .log(1, _, _, _) = $0.kind { return true } else { return false } }
        #expect(bLogEvents.count == 1, "b, not watched, gets its lines in one piece, at its end")
        let aReads = server.requests("GET", suffix: "/logs", job: "a").count
        #expect(aReads >= 2, "a read about every 0.1 s while it runs (fewer on a loaded machine), then the final one: \(aReads)")
        #expect(server.requests("GET", suffix: "/logs", job: "b").count == 1, "nobody watches b: one read at the end")
        RemoteExecutorTests.checkRequests(server)
        await server.stop()
    }

    @Test func watchingAJobThatRunsReadsItAtOnceAndUnwatchingStopsTheReads() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 60, growingLogs: Self.growing(60))])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, interval: 0.5)
        runner.start()
        #expect(await events.until { $0.order(of: .running).contains("a") })
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(server.requests("GET", suffix: "/logs").isEmpty, "nobody watches yet")
        runner.setWatched(jobs: [0])
        #expect(await events.until { !$0.lines("a").isEmpty }, "lines as soon as someone looks")
        runner.setWatched(jobs: [])
        // Let a read in flight at the change arrive; then, reading every 0.5 s if still watched, none may follow.
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let reads = server.requests("GET", suffix: "/logs").count
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(server.requests("GET", suffix: "/logs").count == reads, "no reads once nobody watches")
        runner.send(.cancel(job: 0))
        #expect(await events.finish())
        // Cancelled mid-line: the final read passes on the half-written last line as it is.
        let lines = events.lines("a")
        let whole = lines.dropLast()
        #expect(Array(whole) == (0..<whole.count).map(Self.line), "the lines so far, each once, then the rest at the end")
        #expect(lines.last.map { Self.line(whole.count).hasPrefix($0) } == true, "\(lines.last ?? "")")
        await server.stop()
    }

    /// VEP-1243 Appendix A's shape (as `vepAppendixAExampleStaysWithinTheRequestBudget`), one job watched for its
    /// whole run: starts and checks stay what they were; the watched job adds a logs read per min(5 s, S).
    @Test func vepAppendixAWithOneWatchedJob() async throws {
        let (server, jobs) = try await RemoteRun.appendixA()
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1)
        runner.setWatched(jobs: [1])   // job2
        runner.start()
        #expect(await events.finish(seconds: 120))
        #expect(events.outcome == .succeeded)
        let all = server.apiRequests
        let logs = all.filter { $0.path.hasSuffix("/logs") }
        let others = all.count - logs.count
        let watchedReads = logs.filter { $0.path.contains("/jobs/job2/") }.count
        let budget = 6.0 * (2 + 2.25 / 0.1)
        print("VEP-1243 Appendix A, scaled (E = 2.25 s, S = 0.1 s), job2 watched: \(all.count) requests (\(others) starts/status checks + \(logs.count) logs reads, \(watchedReads) of them job2's) vs the VEP's budget \(Int(budget)) + 6 logs reads")
        #expect(Double(others) <= budget, "watching adds no start or status check")
        for name in jobs.map(\.name) where name != "job2" {
            #expect(logs.filter { $0.path.contains("/jobs/\(name)/") }.count == 1, "\(name): one logs read")
        }
        // Every 0.1 s for 2.25 s, plus the final read.
        #expect(watchedReads >= 2 && watchedReads <= Int(2.25 / 0.1) + 3, "\(watchedReads) reads of job2's logs")
        #expect(server.requests("POST").count == 6)
        await server.stop()
    }
}
