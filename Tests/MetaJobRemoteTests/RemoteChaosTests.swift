import Foundation
import Testing
import MetaJobCore
import MetaJobRunner
import MetaJobTestSupport

/// The Control Service misbehaving in the middle of a run — refusing connections, answering past the client's
/// timeout, answering 503 in bursts, losing start answers after acting on them — while real runs of small DAGs
/// go through the `Runner` and the `RemoteExecutor` on loopback. Each case checks that jobs continue when the
/// service is back, that no job's execution is started twice (POSTs and executions counted per job on the
/// service's side), and that every job's final state and the meta job's outcome are right; the last two stop
/// the run during an outage.
@Suite("Remote runs through Control Service outages", .serialized)
struct RemoteChaosTests {
    typealias Script = FakeControlService.Script

    /// Every remote job in `jobs` was started exactly once: one POST reached the service beyond the `refused`
    /// ones it answered with an error, one execution was created, and it is the one the run knows.
    static func startedOnce(_ jobs: [String], _ server: FakeControlService, _ runner: Runner, refusedPOSTs: [String: Int] = [:]) {
        let names = runner.snapshot().outline.jobs.map(\.name)
        let records = runner.snapshot().jobs
        for job in jobs {
            let posts = server.requests("POST", job: job).count
            #expect(posts == 1 + refusedPOSTs[job, default: 0], "\(job): \(posts) start requests")
            let executions = server.executions(of: job)
            #expect(executions.count == 1, "\(job): \(executions.map(\.id)) executions")
            let record = records[names.firstIndex(of: job)!]
            #expect(record.executionId == executions.first?.id, "\(job) tracks the execution the service ran")
            #expect(record.attempt == 1, "\(job): a refused start is not an attempt")
            #expect(server.requests("GET", suffix: "/logs", job: job).count == 1, "\(job): logs read once")
        }
    }

    /// `job`'s record in the run's current snapshot.
    static func state(_ job: String, _ runner: Runner) -> JobProgress {
        let snapshot = runner.snapshot()
        return snapshot.jobs[snapshot.outline.jobs.firstIndex { $0.name == job }!]
    }

    /// The messages of `job`'s server-error delays so far.
    static func serverErrors(_ events: RunEvents, _ job: String) -> [String] {
        events.updates.filter { $0.name == job && $0.update.state == .delayed }.compactMap { update in
            if case .serverError(let message)? = update.update.delayReason { return message }
            return nil
        }
    }

    /// Case 1. The service stops listening while two jobs run; during the outage both end on the service and
    /// a local job ends, so its remote dependent's start is refused; ~1.5 s later the service listens again on
    /// the same port. Status checks fail and back off, the refused start waits in the delay queue, and
    /// everything continues once it is back. With auth on (short-lived tokens from the same service, so their
    /// refresh fails during the outage too), the tokens appear in none of the events.
    @Test func connectionsRefusedMidRunThenBackOnTheSamePort() async throws {
        let refresh = "refresh-SECRET-chaos-1", access = "access-SECRET-chaos-2"
        let server = try await FakeControlService(scripts: [
            "a": Script(runSeconds: 60), "b": Script(runSeconds: 60), "c": Script(runSeconds: 0.3),
            "r": Script(runSeconds: 0.3), "e": Script(runSeconds: 0.2),
        ], accessToken: access, refreshToken: refresh)
        // Access tokens good for 0.3 s: the token endpoint (on the same service) goes down too, mid-refresh.
        server.tokenLifetime = 60.3
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-chaos-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: flag) }
        let jobs = [RemoteRun.job("a"), RemoteRun.job("b"),
                    RemoteRun.job("l", executor: .local, command: "while [ ! -e '\(flag)' ]; do sleep 0.02; done"),
                    RemoteRun.job("c", ["a"]), RemoteRun.job("r", ["l"]), RemoteRun.job("e", ["c", "r", "b"])]
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1, requestTimeout: 1, token: refresh)
        runner.start()
        // Generous: at the start of the whole suite the 2 cores are saturated (the containment stress test spawns
        // 24,000 processes) and 1 s token requests time out until they are not; what is tested starts after this.
        #expect(await events.until(seconds: 150) { $0.order(of: .running).contains("a") && $0.order(of: .running).contains("b") },
                "\(events.updates.map { "\($0.name) \($0.update.state.rawValue) \($0.update.reason ?? "")" }) requests: \(server.requests.map(\.path))")
        let port = server.port
        await server.goDown()
        let downAt = Date()
        server.endRunning("a")
        server.endRunning("b")
        #expect(FileManager.default.createFile(atPath: flag, contents: nil))
        #expect(await events.until(seconds: 10) { !RemoteChaosTests.serverErrors($0, "r").isEmpty },
                "the start that fell into the outage was refused")
        let rest = 1.5 - Date().timeIntervalSince(downAt)
        if rest > 0 { try await Task.sleep(nanoseconds: UInt64(rest * 1e9)) }
        try await server.comeBack()
        #expect(server.port == port)
        #expect(await events.finish())

        #expect(events.outcome == .succeeded)
        for job in ["a", "b", "l", "c", "r", "e"] { #expect(Self.state(job, runner).state == .succeeded, "\(job)") }
        #expect(events.updates.allSatisfy { $0.update.state != .platformError }, "the outage fails no job")
        for message in Self.serverErrors(events, "r") {
            // Refused connections, or (on a loaded machine) the 1 s request timeout coming first: either way the
            // refusal names the service that is down.
            #expect(message.contains("cannot reach the Control Service at \(server.url)")
                    || message.contains("cannot reach the authorization server \(server.tokenURL)")
                    || message.contains("the authorization server \(server.tokenURL) did not answer in time"), "\(message)")
        }
        let grants = server.requests.filter { $0.path == "/oauth/token" }
        #expect(grants.contains { $0.time > downAt }, "tokens were refreshed after the outage: \(grants.count) grants")
        // c started only after the service was back and a's end had been seen there.
        #expect(try #require(server.executions(of: "c").first).start > downAt.addingTimeInterval(1.4))
        Self.startedOnce(["a", "b", "c", "r", "e"], server, runner)
        RemoteExecutorTests.checkRequests(server, token: access)
        #expect(!events.allText.contains(refresh) && !events.allText.contains(access))
        await server.stop()
    }

    /// Case 2. Start, list and status answers come after the client's timeout for a while: the root jobs'
    /// starts time out after their executions were created, and the lists that should find them time out too,
    /// until the start is given up for now. When answers are fast again the executions are found and adopted,
    /// not started a second time. Later, status answers of a running job are slow for a while: its checks back
    /// off and it ends right once they are fast.
    @Test func answersSlowerThanTheTimeoutStartNothingTwice() async throws {
        let server = try await FakeControlService(scripts: [
            "a": Script(runSeconds: 0.4), "b": Script(runSeconds: 0.4), "c": Script(runSeconds: 60),
            "d": Script(runSeconds: 0.2),
        ])
        let jobs = [RemoteRun.job("a"), RemoteRun.job("b"), RemoteRun.job("c", ["a", "b"]), RemoteRun.job("d", ["c"])]
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1, requestTimeout: 0.3)
        // Longer than a start's timeout plus the three lists after it (with their back-off): ~1.8 s.
        server.delayAnswers(by: 1.0, of: [.start, .list, .status])
        runner.start()
        #expect(await events.until(seconds: 10) { !RemoteChaosTests.serverErrors($0, "a").isEmpty })
        #expect(server.executions(of: "a").count == 1, "the slow start created an execution")
        try await Task.sleep(nanoseconds: 700_000_000)
        server.delayAnswers(by: 0, of: [.start, .list, .status])
        #expect(await events.until { $0.order(of: .running).contains("c") })
        server.delayAnswers(by: 0.6, of: [.status])
        let slowFrom = Date()
        try await Task.sleep(nanoseconds: 600_000_000)
        server.endRunning("c")
        try await Task.sleep(nanoseconds: 600_000_000)
        server.delayAnswers(by: 0, of: [.status])
        let slowTo = Date()
        #expect(await events.finish())

        #expect(events.outcome == .succeeded)
        for job in ["a", "b", "c", "d"] { #expect(Self.state(job, runner).state == .succeeded, "\(job)") }
        #expect(server.requests("GET", suffix: "/jobs/a/executions").count >= 3, "the start's execution was looked for")
        for message in Self.serverErrors(events, "a") { #expect(message.contains("got no answer and its executions could not be listed"), "\(message)") }
        let cChecks = server.requests("GET", job: "c").filter { FakeControlService.endpoint(of: $0) == .status }
        #expect(cChecks.contains { $0.time > slowFrom && $0.time < slowTo }, "c was checked while answers were slow")
        #expect(try #require(cChecks.last).time > slowTo, "c's end was seen by a check after the slow ones")
        #expect(events.updates.allSatisfy { $0.update.state != .platformError })
        Self.startedOnce(["a", "b", "c", "d"], server, runner)
        RemoteExecutorTests.checkRequests(server)
        await server.stop()
    }

    /// Case 3. Bursts of 503: the first three starts and the first logs read, then (while the roots run) three
    /// status checks and the next two starts. Refused starts wait in the delay queue with a server-error reason
    /// and keep their attempt number; refused checks back off; the refused logs read leaves a note, not a
    /// failure; every job runs once and the meta job succeeds.
    @Test func burstsOf503DelayStartsAndChecksAndStartNothingTwice() async throws {
        var scripts: [String: Script] = [:]
        for name in ["a", "b"] { scripts[name] = Script(runSeconds: 60) }
        for name in ["c", "d", "e"] { scripts[name] = Script(runSeconds: 0.2) }
        let server = try await FakeControlService(scripts: scripts)
        server.conflictWhileRunning = true
        let jobs = [RemoteRun.job("a"), RemoteRun.job("b"), RemoteRun.job("c", ["a"]), RemoteRun.job("d", ["a", "b"]),
                    RemoteRun.job("e", ["c", "d"])]
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1, requestTimeout: 2)
        server.failNext(3, of: [.start])
        server.failNext(1, of: [.logs])
        runner.start()
        #expect(await events.until { $0.order(of: .running).contains("a") && $0.order(of: .running).contains("b") })
        server.failNext(3, of: [.status])
        server.failNext(2, of: [.start])
        // Ended only now, so the second bursts are in place before their dependents start.
        server.endRunning("a")
        server.endRunning("b")
        #expect(await events.finish())

        #expect(events.outcome == .succeeded)
        for job in ["a", "b", "c", "d", "e"] { #expect(Self.state(job, runner).state == .succeeded, "\(job)") }
        let refused = server.requests("POST").count - 5
        #expect(refused == 5, "every 503 of both start bursts was handed out")
        let delays = events.updates.filter { $0.update.state == .delayed }
        #expect(delays.count == 5, "one delay per refused start")
        for delay in delays {
            guard case .serverError(let message)? = delay.update.delayReason else {
                Issue.record("\(delay.name): expected a server-error delay, got \(String(describing: delay.update.delayReason))"); continue
            }
            #expect(message.contains("HTTP 503") && message.contains("service unavailable"), "\(message)")
        }
        // The logs read that got a 503 is not a failure: that job's output points to where the logs are kept.
        let notes = ["a", "b", "c", "d", "e"].flatMap { events.lines($0, .stderr) }
        #expect(notes.count == 1 && notes[0].contains("did not give the logs") && notes[0].contains("HTTP 503")
                && notes[0].contains("https://logs.example.com/"), "\(notes)")
        #expect(server.faultsLeft == 0)
        let refusedPerJob = Dictionary(grouping: delays, by: \.name).mapValues(\.count)
        #expect(events.updates.allSatisfy { $0.update.state != .platformError })
        Self.startedOnce(["a", "b", "c", "d", "e"], server, runner, refusedPOSTs: refusedPerJob)
        RemoteExecutorTests.checkRequests(server)
        await server.stop()
    }

    /// Case 4. Failures behind outages keep their meaning. A chain b → d → a → c: b fails (user_error, with
    /// `fail_dag_on_error: false`) while the service refuses connections, so d still runs; a fails
    /// (user_error, fatal) while its status checks get 503s, so c is not run and the meta job fails; a local
    /// job beside them fails with exit code 3 and does not fail the meta job.
    @Test func failuresBehindAnOutageEndWithTheirStatesAndFailDagOnErrorHolds() async throws {
        let server = try await FakeControlService(scripts: [
            "b": Script(runSeconds: 60, finalStatus: "user_error", finalMessage: "b: bad input row 7"),
            "d": Script(runSeconds: 0.2),
            "a": Script(runSeconds: 60, finalStatus: "user_error", finalMessage: "a: division by zero"),
            "c": Script(runSeconds: 0.2),
        ])
        let jobs = [RemoteRun.job("b", failDag: false), RemoteRun.job("d", ["b"]), RemoteRun.job("a", ["d"]),
                    RemoteRun.job("c", ["a"]),
                    RemoteRun.job("l", failDag: false, executor: .local, command: "sleep 0.2; exit 3")]
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1, requestTimeout: 1)
        runner.start()
        #expect(await events.until { $0.order(of: .running).contains("b") })
        await server.goDown()
        server.endRunning("b")
        try await Task.sleep(nanoseconds: 1_000_000_000)
        try await server.comeBack()
        #expect(await events.until { $0.order(of: .running).contains("a") })
        server.failNext(3, of: [.status])
        server.endRunning("a")
        #expect(await events.finish())

        #expect(events.outcome == .failed)
        let b = Self.state("b", runner), a = Self.state("a", runner), l = Self.state("l", runner)
        #expect(b.state == .userError && b.reason == "b: bad input row 7", "\(b)")
        #expect(Self.state("d", runner).state == .succeeded, "a non-fatal failure lets its dependents run")
        #expect(a.state == .userError && a.reason == "a: division by zero", "\(a)")
        #expect(Self.state("c", runner).state == .notRun)
        #expect(server.requests("POST", job: "c").isEmpty)
        #expect(l.state == .userError && l.exitCode == 3, "\(l)")
        #expect(server.requests("GET", job: "a").filter { FakeControlService.endpoint(of: $0) == .status }.count >= 4,
                "a's checks went through the burst")
        Self.startedOnce(["b", "d", "a"], server, runner)
        RemoteExecutorTests.checkRequests(server)
        await server.stop()
    }

    /// Case 5. Start answers lost after the execution was created: a's connection closes with no answer, b's
    /// start is answered 504 by a gateway that gave up. Neither is started again: a's lost answer is looked
    /// for at once (the execution is listed and adopted), b waits in the delay queue and its next start lists
    /// before it posts. Two status checks of b also lose their connections; they back off. The service
    /// answers 409 to a start while the job runs, as the real one does.
    @Test func startAnswersLostAfterTheExecutionWasCreatedStartNothingTwice() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 0.5), "b": Script(runSeconds: 0.5),
                                                            "c": Script(runSeconds: 0.2)])
        server.conflictWhileRunning = true
        let jobs = [RemoteRun.job("a"), RemoteRun.job("b", ["a"]), RemoteRun.job("c", ["b"])]
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1, requestTimeout: 2)
        server.faultNext(1, of: [.start], .drop)
        server.faultNext(1, of: [.start], .afterEffect(504))
        server.faultNext(2, of: [.status], .drop)
        runner.start()
        #expect(await events.finish())

        #expect(events.outcome == .succeeded)
        for job in ["a", "b", "c"] { #expect(Self.state(job, runner).state == .succeeded, "\(job)") }
        #expect(server.faultsLeft == 0, "every fault was handed out")
        #expect(Self.serverErrors(events, "a").isEmpty, "a lost answer is looked for at once, not delayed")
        #expect(server.requests("GET", suffix: "/jobs/a/executions").count == 1)
        let b = Self.serverErrors(events, "b")
        #expect(b.count == 1 && b[0].contains("HTTP 504"), "\(b)")
        #expect(server.requests("GET", suffix: "/jobs/b/executions").count == 1, "b's next start listed first")
        #expect(events.updates.allSatisfy { $0.update.delayReason.map { if case .conflict = $0 { false } else { true } } ?? true },
                "no start was sent while the job ran")
        Self.startedOnce(["a", "b", "c"], server, runner)
        RemoteExecutorTests.checkRequests(server)
        await server.stop()
    }

    /// Case 6. Stopped (Ctrl-C) while the service refuses connections: the cancels cannot go out, so the run
    /// waits; once the service is back each running execution gets its DELETE, ends `cancelled` on both sides,
    /// and the job that never started ends `not_run`.
    @Test func stopDuringAnOutageCancelsTheExecutionsWhenTheServiceIsBack() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 60), "b": Script(runSeconds: 60)])
        let jobs = [RemoteRun.job("a"), RemoteRun.job("b"), RemoteRun.job("c", ["a", "b"])]
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1, requestTimeout: 1)
        runner.start()
        #expect(await events.until { $0.order(of: .running).contains("a") && $0.order(of: .running).contains("b") })
        await server.goDown()
        runner.send(.stop(immediate: false))
        #expect(await !events.until(seconds: 1) { $0.outcome != nil }, "the run waits for the cancels to be confirmed")
        try await server.comeBack()
        #expect(await events.finish())

        for job in ["a", "b"] {
            #expect(Self.state(job, runner).state == .cancelled, "\(job)")
            let executions = server.executions(of: job)
            #expect(executions.count == 1 && executions[0].cancelled, "\(job)'s execution was cancelled on the service")
            #expect(server.requests("DELETE", job: job).count == 1, "\(job): one DELETE reached the service")
        }
        #expect(Self.state("c", runner).state == .notRun)
        #expect(server.requests("POST", job: "c").isEmpty)
        RemoteExecutorTests.checkRequests(server)
        await server.stop()
    }

    /// Case 7. Stopped twice (a second Ctrl-C) while the service stays unreachable: the run ends at once instead
    /// of waiting for a service that may never answer; the job ends `cancelled`, and its output says that its
    /// execution may still run and what to do.
    @Test func secondStopDuringAnOutageEndsTheRunWithoutTheService() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 60)])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a"), RemoteRun.job("b", ["a"])], server: server,
                                              interval: 0.1, requestTimeout: 1)
        runner.start()
        #expect(await events.until { $0.order(of: .running).contains("a") })
        await server.goDown()
        runner.send(.stop(immediate: false))
        runner.send(.stop(immediate: false))
        #expect(await events.finish(seconds: 10), "the second stop does not wait for the service")

        let a = Self.state("a", runner)
        let id = try #require(server.executions(of: "a").first?.id)
        #expect(a.state == .cancelled)
        let note = events.lines("a", .stderr)
        #expect(note.count == 1 && note[0].contains("execution \(id) of a may still run") && note[0].contains("cancel it on the Control Service"),
                "\(note)")
        #expect(Self.state("b", runner).state == .notRun)
        await server.stop()
    }
}
