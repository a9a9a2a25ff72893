import Foundation
import Testing
import MetaJobCore
import MetaJobRunner
import MetaJobTestSupport

/// The remote executor against a Control Service on loopback: every request checked, counted, and the outcome.
@Suite("Remote executor against a loopback Control Service", .serialized)
struct RemoteExecutorTests {
    typealias Script = FakeControlService.Script

    /// Every API request has the API's method and path shape, asks for JSON, carries the bearer token when
    /// auth is on, and every start has a JSON body with our `started_by` and the job's `args`.
    static func checkRequests(_ server: FakeControlService, token: String? = nil, args: [String: [String: Any]] = [:]) {
        let executionPath = #"^/data-jobs/for-team/team-a/jobs/[a-z0-9-]+/executions(/[A-Za-z0-9-]+(/logs)?)?$"#
        let startPath = #"^/data-jobs/for-team/team-a/jobs/[a-z0-9-]+/deployments/production/executions$"#
        for r in server.apiRequests {
            #expect(r.headers["accept"] == "application/json", "\(r.method) \(r.path)")
            if let token { #expect(r.headers["authorization"] == "Bearer " + token, "\(r.method) \(r.path)") }
            else { #expect(r.headers["authorization"] == nil) }
            switch r.method {
            case "POST":
                #expect(r.path.range(of: startPath, options: .regularExpression) != nil, "\(r.path)")
                #expect(r.headers["content-type"] == "application/json")
                let body = r.json
                #expect(body?["started_by"] as? String == RemoteRun.startedBy)
                let job = r.path.split(separator: "/")[4]
                let sent = body?["args"] as? [String: Any]
                #expect(sent != nil, "args is always an object")
                if let expected = args[String(job)] {
                    #expect(NSDictionary(dictionary: sent ?? [:]).isEqual(to: expected), "args of \(job)")
                }
            case "GET", "DELETE":
                #expect(r.path.range(of: executionPath, options: .regularExpression) != nil, "\(r.path)")
                #expect(r.body.isEmpty)
            default:
                Issue.record("unexpected method \(r.method) \(r.path)")
            }
        }
    }

    @Test func conflictThenAcceptedWaitsInTheDelayQueue() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(refusals: [409])])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a", arguments: .object([("day", .string("2026-11-24"))]))], server: server)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        let delayed = events.updates.filter { $0.update.state == .delayed }
        #expect(delayed.count == 1, "states: \(events.updates.map { "\($0.update.state) \($0.update.reason ?? "")" }); requests: \(server.requests("POST").count) POST")
        if case .conflict(let message)? = delayed.first?.update.delayReason {
            #expect(message.contains("already executing"))
        } else { Issue.record("expected a conflict delay, got \(String(describing: delayed.first?.update.delayReason))") }
        #expect(server.requests("POST").count == 2)
        #expect(server.allExecutions.count == 1)
        #expect(runner.snapshot().jobs[0].attempt == 1, "a refused start is not an attempt")
        Self.checkRequests(server, args: ["a": ["day": "2026-11-24"]])
        await server.stop()
    }

    @Test func serverErrorThenAcceptedWaitsInTheDelayQueue() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(refusals: [500, 503])])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        let reasons = events.updates.filter { $0.update.state == .delayed }.compactMap(\.update.delayReason)
        #expect(reasons.count == 2)
        #expect(reasons.allSatisfy { if case .serverError = $0 { return true } else { return false } })
        #expect(server.requests("POST").count == 3)
        #expect(server.allExecutions.count == 1)
        Self.checkRequests(server)
        await server.stop()
    }

    @Test func unauthorizedFailsAsPlatformErrorWithTheMessageAndNoToken() async throws {
        let refresh = "refresh-SECRET-4711", access = "access-SECRET-0815"
        let server = try await FakeControlService(scripts: ["a": Script(refusals: [401, 401]), "b": Script()],
                                                  accessToken: access, refreshToken: refresh)
        let (runner, events) = RemoteRun.make([RemoteRun.job("a"), RemoteRun.job("b", ["a"])], server: server, token: refresh)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .failed)
        let a = runner.snapshot().jobs[0]
        #expect(a.state == .platformError)
        #expect(a.reason?.contains("HTTP 401") == true && a.reason?.contains("refused with 401") == true, "\(a.reason ?? "")")
        #expect(runner.snapshot().jobs[1].state == .notRun)
        // One refresh-token grant, then a second one after the first 401 (the token may have expired).
        let grants = server.requests.filter { $0.path == "/oauth/token" }
        #expect(grants.count == 2)
        #expect(grants.allSatisfy { $0.method == "POST" && $0.headers["content-type"] == "application/x-www-form-urlencoded" })
        let text = events.allText
        #expect(!text.contains(refresh) && !text.contains(access))
        Self.checkRequests(server, token: access)
        await server.stop()
    }

    @Test func longRunningJobIsCheckedEveryIntervalAndItsLogsReadOnce() async throws {
        // 2 s, so that a loaded machine (the whole suite runs beside this) still fits several checks in.
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 2.0, logs: "hello\r\nfrom the cluster\n")])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, interval: 0.1)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        let id = try #require(server.allExecutions.first?.id)
        #expect(runner.snapshot().jobs[0].executionId == id)
        #expect(events.order(of: .running) == ["a"])
        let checks = server.requests("GET", suffix: "/executions/\(id)")
        // 2.0 s at 0.1 s: about 20 checks; the budget (E/S) allows 20, plus the one that sees the end.
        #expect(checks.count >= 3 && checks.count <= 22, "\(checks.count) status checks")
        #expect(server.requests("GET", suffix: "/logs").count == 1)
        #expect(events.lines("a") == ["hello", "from the cluster"])
        // Checks of one job never come in bursts: each at least ~half an interval after the previous.
        let times = checks.map(\.time)
        for (x, y) in zip(times, times.dropFirst()) { #expect(y.timeIntervalSince(x) > 0.05) }
        Self.checkRequests(server)
        await server.stop()
    }

    @Test func userErrorFailsTheMetaJob() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(finalStatus: "user_error", finalMessage: "division by zero in step 20_load.py")])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a"), RemoteRun.job("b", ["a"])], server: server)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .failed)
        let a = runner.snapshot().jobs[0]
        #expect(a.state == .userError && a.reason == "division by zero in step 20_load.py")
        #expect(runner.snapshot().jobs[1].state == .notRun)
        #expect(server.requests("POST", job: "b").isEmpty)
        await server.stop()
    }

    @Test func startThatTimesOutAfterTheExecutionWasCreatedIsAdoptedNotStartedTwice() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(slowStartSeconds: 1.5, runSeconds: 0.3)])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, requestTimeout: 0.4)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        #expect(server.allExecutions.count == 1, "exactly one execution created")
        #expect(server.requests("POST").count == 1)
        #expect(server.requests("GET", suffix: "/jobs/a/executions").count == 1, "one list after the timeout: \(server.apiRequests.map { "\($0.time.timeIntervalSince1970) \($0.method) \($0.path)" })")
        #expect(runner.snapshot().jobs[0].executionId == server.allExecutions[0].id)
        Self.checkRequests(server)
        await server.stop()
    }

    @Test func refusedLogsReadShowsTheLogsURLAndIsNotAFailure() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(logs: nil, logsURL: "https://logs.example.com/a-1")])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        let note = events.lines("a", .stderr)
        #expect(note.count == 1 && note[0].contains("https://logs.example.com/a-1") && note[0].contains("HTTP 404"), "\(note)")
        #expect(server.requests("GET", suffix: "/logs").count == 1)
        await server.stop()
    }

    @Test func cancelSendsDelete() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 60)])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server)
        runner.start()
        let deadline = Date().addingTimeInterval(20)
        while !events.order(of: .running).contains("a") && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        runner.send(.cancel(job: 0))
        #expect(await events.finish())
        #expect(runner.snapshot().jobs[0].state == .cancelled)
        let id = try #require(server.allExecutions.first?.id)
        let deletes = server.requests("DELETE")
        #expect(deletes.count == 1 && deletes.first?.path == "/data-jobs/for-team/team-a/jobs/a/executions/\(id)")
        #expect(server.allExecutions[0].cancelled)
        Self.checkRequests(server)
        await server.stop()
    }

    @Test func concurrencyLimitHoldsOnTheServersSide() async throws {
        let names = (1...6).map { "j\($0)" }
        var scripts: [String: Script] = [:]
        for n in names { scripts[n] = Script(runSeconds: 0.3) }
        let server = try await FakeControlService(scripts: scripts)
        let (runner, events) = RemoteRun.make(names.map { RemoteRun.job($0) }, server: server, limit: 2)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        #expect(server.maxRunning == 2, "never more than the limit running on the service, and the limit used")
        #expect(server.allExecutions.count == 6)
        Self.checkRequests(server)
        await server.stop()
    }

    @Test func mixedLocalAndRemoteJobsRunInDependencyOrder() async throws {
        let server = try await FakeControlService(scripts: ["remote-b": Script(runSeconds: 0.2)])
        let jobs = [RemoteRun.job("local-a", executor: .local, command: "echo a"),
                    RemoteRun.job("remote-b", ["local-a"]),
                    RemoteRun.job("local-c", ["remote-b"], executor: .local, command: "echo c")]
        let (runner, events) = RemoteRun.make(jobs, server: server)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        let started = events.order(of: .submitted), ended = events.order(of: .succeeded)
        #expect(started == ["local-a", "remote-b", "local-c"])
        #expect(ended == ["local-a", "remote-b", "local-c"])
        #expect(events.lines("local-a") == ["a"] && events.lines("local-c") == ["c"])
        let post = try #require(server.requests("POST").first)
        let aEnd = try #require(events.updates.first { $0.name == "local-a" && $0.update.state == .succeeded })
        _ = aEnd
        #expect(server.requests("POST").count == 1 && post.path.contains("/jobs/remote-b/"))
        await server.stop()
    }

    @Test func interruptedExecutionIsReattachedNotStartedAgain() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(finalStatus: "succeeded")])
        let id = server.seed(job: "a", startedBy: RemoteRun.startedBy, runSeconds: 0.3)
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, adopt: ["a": id])
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        #expect(server.requests("POST").isEmpty, "no new execution")
        #expect(runner.snapshot().jobs[0].executionId == id)
        #expect(server.requests("GET", suffix: "/logs").count == 1)
        await server.stop()
    }

    @Test func accessTokenIsRefreshedAMinuteBeforeItExpires() async throws {
        let refresh = "refresh-SECRET-1", access = "access-SECRET-2"
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 1.5)], accessToken: access, refreshToken: refresh)
        // 60.4 s of life: refreshed 0.4 s after each grant.
        server.tokenLifetime = 60.4
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, interval: 0.1, token: refresh)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        let grants = server.requests.filter { $0.path == "/oauth/token" }
        #expect(grants.count >= 3, "a 1.5 s run with tokens good for 0.4 s: \(grants.count) grants")
        #expect(grants.count <= server.apiRequests.count, "not a grant per request")
        #expect(server.unauthorized == 0, "refreshed before it expired, never after")
        #expect(grants.allSatisfy { String(decoding: $0.body, as: UTF8.self) == "grant_type=refresh_token&refresh_token=\(refresh)" })
        Self.checkRequests(server, token: access)
        #expect(!events.allText.contains(refresh) && !events.allText.contains(access))
        await server.stop()
    }

    @Test func failedStatusChecksBackOffInsteadOfRetryingAtOnce() async throws {
        let server = try await FakeControlService(scripts: ["a": Script(runSeconds: 0.1, statusOutages: 4)])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, interval: 0.05)
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded, "an outage while the job runs is not a failure")
        let times = server.requests("GET").filter { !$0.path.hasSuffix("/logs") }.map(\.time)
        #expect(times.count == 5, "four refused checks, then the one that sees the end")
        // After the k-th failure the next check waits interval × 2^k: 0.1, 0.2, 0.4, 0.8 s.
        for (k, (x, y)) in zip(times, times.dropFirst()).enumerated() {
            #expect(y.timeIntervalSince(x) >= 0.05 * Double(1 << (k + 1)) * 0.95, "gap \(k + 1)")
        }
        await server.stop()
    }

    @Test func unreachableServiceDelaysTheStartInsteadOfFailingIt() async throws {
        let server = try await FakeControlService(scripts: [:])
        await server.stop()
        // The stopped server's port: nobody listens there any more.
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, serviceURL: server.url)
        runner.start()
        let deadline = Date().addingTimeInterval(20)
        while events.updates.filter({ $0.update.state == .delayed }).count < 3 && Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        runner.send(.stop(immediate: true))
        #expect(await events.finish())
        let delays = events.updates.filter { $0.update.state == .delayed }
        #expect(delays.count >= 3)
        for d in delays {
            guard case .serverError(let message)? = d.update.delayReason else { Issue.record("expected a server error delay"); continue }
            #expect(message.contains("cannot reach the Control Service"), "\(message)")
        }
        #expect(runner.snapshot().jobs[0].state == .notRun)
    }

    @Test func jobsStartedTogetherDoNotCheckTheirStatusTogether() async throws {
        var scripts: [String: Script] = [:]
        for n in ["a", "b", "c"] { scripts[n] = Script(runSeconds: 1.5) }
        let server = try await FakeControlService(scripts: scripts)
        let (runner, events) = RemoteRun.make([RemoteRun.job("a"), RemoteRun.job("b"), RemoteRun.job("c")], server: server, interval: 1.0)
        runner.start()
        #expect(await events.finish())
        let firstChecks = ["a", "b", "c"].compactMap { job in
            server.requests("GET", job: job).first { !$0.path.hasSuffix("/logs") }?.time
        }
        #expect(firstChecks.count == 3)
        let spread = firstChecks.max()!.timeIntervalSince(firstChecks.min()!)
        // Offsets 0.75, 0.90 and 0.81 of the interval: spread over 0.15 s rather than all at once.
        #expect(spread >= 0.1, "first checks within \(spread) s of each other")
        await server.stop()
    }

    @Test func reattachingAnExecutionTheServiceNoLongerKnowsStartsANewOne() async throws {
        let server = try await FakeControlService(scripts: ["a": Script()])
        let (runner, events) = RemoteRun.make([RemoteRun.job("a")], server: server, adopt: ["a": "a-gone-7"])
        runner.start()
        #expect(await events.finish())
        #expect(events.outcome == .succeeded)
        #expect(server.requests("GET", suffix: "/executions/a-gone-7").count == 1)
        #expect(server.requests("POST").count == 1 && server.allExecutions.count == 1)
        #expect(runner.snapshot().jobs[0].executionId == server.allExecutions[0].id)
        Self.checkRequests(server)
        await server.stop()
    }

    /// VEP-1243 Appendix A: J × (2 + E/S) = 6 × (2 + 900/40) = 147 requests. Same shape and the same E/S
    /// (22.5), time scaled down: E = 2.25 s, S = 0.1 s.
    ///
    /// The rule: starts + status checks + lists ≤ J × (2 + E/S) = 147, and logs reads ≤ J (one per job), so all
    /// requests ≤ 147 + 6.
    @Test func vepAppendixAExampleStaysWithinTheRequestBudget() async throws {
        let (server, jobs) = try await RemoteRun.appendixA()
        let (runner, events) = RemoteRun.make(jobs, server: server, interval: 0.1)
        runner.start()
        #expect(await events.finish(seconds: 120))
        #expect(events.outcome == .succeeded)
        let all = server.apiRequests
        let logs = all.filter { $0.path.hasSuffix("/logs") }.count
        let others = all.count - logs
        let budget = 6.0 * (2 + 2.25 / 0.1)
        print("VEP-1243 Appendix A, scaled (E = 2.25 s, S = 0.1 s): \(all.count) requests (\(others) starts/status checks + \(logs) logs reads) vs the VEP's budget \(Int(budget))")
        #expect(Double(others) <= budget)
        #expect(logs == 6)
        #expect(Double(all.count) <= budget + 6)
        #expect(server.requests("POST").count == 6)
        Self.checkRequests(server)
        await server.stop()
    }
}
