import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner

/// Every rule of the README's "Remote execution" section, on the remote executor's state machine alone:
/// answers, failures and timer fires fed in by hand, the clock moved by hand — no socket, no sleeping.
@Suite("Remote executor's state machine (no socket)")
struct RemoteStateTests {
    typealias M = RemoteMachine
    static let a0 = "job#0/attempt 1"

    // MARK: - Starting

    @Test func startPostsStartedByAndArgumentsToTheDeployment() throws {
        var m = M()
        m.feed(.start(M.request("ingest", job: 0, arguments: .object([("since", .string("2026-11-01"))]))))
        let post = try #require(m.sent.first)
        #expect(m.sent.count == 1)
        #expect(post.method == "POST" && post.path == "/data-jobs/for-team/team-a/jobs/ingest/deployments/production/executions")
        let body = try #require(post.body.flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        #expect(body["started_by"] as? String == M.startedBy)
        #expect((body["args"] as? [String: Any])?["since"] as? String == "2026-11-01")
        m.accept("ingest", id: "ingest-1")
        #expect(m.events == ["started \(Self.a0) ingest-1"])
    }

    @Test func jobWithoutTeamFailsAsPlatformErrorWithoutARequest() {
        var m = M()
        m.start("a", job: 0, team: nil)
        #expect(m.sent.isEmpty)
        #expect(m.events.count == 1 && m.events[0].hasPrefix("finished \(Self.a0) platform_error: job a has no team_name"))
    }

    @Test func conflictIsADelayWithTheServicesMessageAndTheSameAttemptNumber() {
        var m = M()
        m.start("a", job: 0)
        m.answer("POST", "/executions", 409, json: ["messages": ["Data job is already executing"]])
        #expect(m.events == ["refused \(Self.a0) conflict: Data job is already executing"])
        #expect(m.state.attempts.isEmpty && m.wakes.isEmpty, "nothing left waiting: the runner's delay queue decides when")
        // The runner starts the same attempt number again after the delay: a plain POST, no list.
        m.start("a", job: 0)
        #expect(m.requestLines.last == "POST /data-jobs/for-team/team-a/jobs/a/deployments/production/executions")
        m.accept("a", id: "a-1")
        #expect(m.events.last == "started \(Self.a0) a-1")
    }

    @Test func serverErrorIsADelayAndTheNextStartListsBeforeItPosts() {
        var m = M()
        m.start("a", job: 0)
        m.answer("POST", "/executions", 502, json: ["messages": ["bad gateway"]])
        #expect(m.events == ["refused \(Self.a0) server_error: HTTP 502: bad gateway"])
        // The gateway may have given up after the service created the execution: look first.
        m.start("a", job: 0)
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions")
        m.answer("GET", "/jobs/a/executions", 200, json: [M.execution("a-7", "running", start: m.wall - 1)])
        #expect(m.requests("POST").count == 1, "the execution the 502 hid is adopted, not started again")
        #expect(m.events.last == "started \(Self.a0) a-7")
    }

    @Test func serverErrorThenAnEmptyListPostsAgain() {
        var m = M()
        m.start("a", job: 0)
        m.answer("POST", "/executions", 503)
        m.start("a", job: 0)
        m.answer("GET", "/jobs/a/executions", 200, json: [] as [Any])
        #expect(m.requests("POST").count == 2)
        m.accept("a", id: "a-1")
        #expect(m.events.last == "started \(Self.a0) a-1")
        // Settled: a third start of the job (say a retry) posts at once.
        m.start("a", job: 0, attempt: 2)
        #expect(m.sent.last?.method == "POST")
    }

    @Test func unreachableServiceIsADelayNamingTheService() {
        var m = M()
        m.start("a", job: 0)
        m.fail("POST", "/executions", .unreachable("Connection refused"))
        #expect(m.events == ["refused \(Self.a0) server_error: cannot reach the Control Service at https://cs.example.com/api: Connection refused"])
        // Nothing was sent, so nothing can have started: the next start posts at once.
        m.start("a", job: 0)
        #expect(m.sent.last?.method == "POST")
    }

    @Test(arguments: [400, 403, 404, 422])
    func otherClientErrorsFailAsPlatformErrorWithTheServicesMessage(status: Int) {
        var m = M(secrets: ["SECRET-1"])
        m.start("a", job: 0)
        m.answer("POST", "/executions", status, json: ["messages": ["Job a is not deployed (token SECRET-1)"]])
        #expect(m.events == ["finished \(Self.a0) platform_error: the Control Service refused to start a (HTTP \(status)): Job a is not deployed (token [redacted])"])
        #expect(m.sent.count == 1 && m.wakes.isEmpty)
    }

    @Test func refusedTokenFailsAndAnUnreachableAuthorizationServerDelays() {
        var m = M()
        m.start("a", job: 0)
        m.fail("POST", "/executions", .token("the authorization server answered HTTP 400", transient: false))
        m.start("b", job: 1)
        m.fail("POST", "/executions", .token("cannot reach the authorization server", transient: true))
        #expect(m.events == ["finished \(Self.a0) platform_error: the authorization server answered HTTP 400",
                             "refused job#1/attempt 1 server_error: cannot reach the authorization server"])
    }

    // MARK: - A start without an answer

    @Test(arguments: [TransportFailure.timedOut, .lost("Empty reply from server")])
    func lostStartIsAdoptedNotRepeated(failure: TransportFailure) {
        var m = M()
        m.advance(to: 100)
        m.start("a", job: 0)
        let sentAt = m.wall
        m.advance(by: 60)
        m.fail("POST", "/executions", failure)
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions")
        m.answer("GET", "/jobs/a/executions", 200, json: [
            M.execution("a-old", "running", start: sentAt - 600),            // an older run's, still going
            M.execution("a-other", "running", startedBy: "manual/other", start: sentAt + 1), // someone else's
            M.execution("a-9", "running", start: sentAt + 0.5),              // ours
            M.execution("a-10", "submitted", start: sentAt + 3),             // later than ours
        ])
        #expect(m.requests("POST").count == 1, "adopted, not started again")
        #expect(m.events == ["started \(Self.a0) a-9"])
    }

    @Test func adoptionToleratesAServiceClockAlittleBehindAndAnExecutionWithoutStartTime() {
        var m = M()
        m.start("a", job: 0)
        let sentAt = m.wall
        m.fail("POST", "/executions", .timedOut)
        // 1.5 s behind our clock still counts; a submitted execution without start_time is one under way.
        m.answer("GET", "/jobs/a/executions", 200, json: [M.execution("a-3", "running", start: sentAt - 1.5)])
        #expect(m.events == ["started \(Self.a0) a-3"])

        var n = M()
        n.start("a", job: 0)
        n.fail("POST", "/executions", .timedOut)
        n.answer("GET", "/jobs/a/executions", 200, json: [M.execution("a-done", "succeeded"), M.execution("a-4", "submitted")])
        #expect(n.events == ["started \(Self.a0) a-4"], "a finished one without start_time is not ours")
    }

    @Test func lostStartWithNothingListedStartsAgainAndGivesUpAfterThreeTimes() {
        var m = M()
        m.start("a", job: 0)
        for _ in 1...3 {
            m.fail("POST", "/executions", .timedOut)
            m.answer("GET", "/jobs/a/executions", 200, json: [] as [Any])
        }
        #expect(m.requests("POST").count == 3 && m.requests("GET", "/jobs/a/executions").count == 3)
        #expect(m.events == ["refused \(Self.a0) server_error: the start of a got no usable answer 3 times"])
    }

    @Test func acceptedStartWithoutLocationIsLookedFor() {
        var m = M()
        m.start("a", job: 0)
        m.answer("POST", "/executions", 202)
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions")
        m.answer("GET", "/jobs/a/executions", 200, json: [M.execution("a-1", "submitted", start: m.wall)])
        #expect(m.events == ["started \(Self.a0) a-1"])
    }

    @Test func failedListsWaitLongerEachTimeThenDelayAndTheNextStartListsFirst() {
        var m = M(interval: 10)
        m.advance(to: 5)
        m.start("a", job: 0)
        let firstSent = m.wall
        m.fail("POST", "/executions", .timedOut)
        m.answer("GET", "/jobs/a/executions", 503)
        #expect(m.wakeLog.last.map { $0.due - $0.asked } == 20, "interval × 2")
        m.advanceToNextWake()
        m.fail("GET", "/jobs/a/executions", .unreachable("refused"))
        #expect(m.wakeLog.last.map { $0.due - $0.asked } == 40, "interval × 4")
        m.advanceToNextWake()
        m.answer("GET", "/jobs/a/executions", 200, json: ["not": "a list"])
        #expect(m.events == ["refused \(Self.a0) server_error: the start of a got no answer and its executions could not be listed"])
        #expect(m.requests("POST").count == 1)
        // After the delay: list before posting, and an execution begun after the *first* start is ours.
        m.advance(by: 100)
        m.start("a", job: 0)
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions")
        m.answer("GET", "/jobs/a/executions", 200, json: [M.execution("a-1", "running", start: firstSent + 1)])
        #expect(m.requests("POST").count == 1)
        #expect(m.events.last == "started \(Self.a0) a-1")
    }

    @Test func lateAnswerOfARefusedAttemptChangesNothing() {
        var m = M()
        m.start("a", job: 0)
        m.fail("POST", "/executions", .timedOut)
        let list = m.open.values.first!
        m.terminate(job: 0)
        m.terminate(job: 0, grace: 0)
        #expect(m.events.last?.hasPrefix("finished \(Self.a0) cancelled: metajob: stopped while the start of a was unanswered") == true)
        m.start("a", job: 0)   // the same key again (a retry of the run)
        let before = (m.events.count, m.sent.count)
        m.feed(.answered(ticket: list.ticket, .success(HTTPReply(status: 200, headers: [:], body: Data("[]".utf8)))))
        #expect(m.events.count == before.0 && m.sent.count == before.1, "the old list's answer is not the new attempt's")
    }

    // MARK: - Status

    @Test func firstChecksComeThreeQuartersToOneIntervalAfterTheStartSpreadOverThatQuarter() {
        var m = M(interval: 40)
        var firsts: [Double] = []
        for j in 0..<6 {
            m.start("j\(j)", job: j)
            m.accept("j\(j)", id: "j\(j)-1")
            firsts.append(m.wakeLog.last!.due - m.wakeLog.last!.asked)
        }
        #expect(firsts.allSatisfy { $0 >= 30 && $0 <= 40 }, "\(firsts)")
        #expect(Set(firsts).count == 6, "no two jobs started together check together: \(firsts)")
        #expect(firsts.max()! - firsts.min()! >= 5)
    }

    @Test func runningExecutionIsCheckedEveryIntervalAndTheCheckThatSeesTheEndEndsIt() {
        var m = M(interval: 40)
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        for _ in 0..<3 {
            m.advanceToNextWake()
            m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "running"))
            #expect(m.wakeLog.last.map { $0.due - $0.asked } == 40)
        }
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "succeeded", logsURL: "https://logs/a-1"))
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions/a-1/logs")
        m.answer("GET", "/logs", 200, json: ["logs": "one\r\ntwo\nthree"])
        #expect(m.events == ["started \(Self.a0) a-1", "stdout \(Self.a0) [\"one\", \"two\", \"three\"]", "finished \(Self.a0) succeeded: -"])
        #expect(m.requests("GET", "/executions/a-1").count == 4, "no separate final read")
        #expect(m.state.attempts.isEmpty)
        m.advance(by: 1000)
        #expect(m.sent.count == 6, "nothing after the end")
    }

    @Test(arguments: [("succeeded", JobState.succeeded), ("user_error", .userError), ("platform_error", .platformError),
                      ("cancelled", .cancelled), ("skipped", .skipped)])
    func finalStatusMapsOneToOneWithTheMessageAsReason(status: String, state: JobState) {
        var m = M(secrets: ["tok-9"])
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", status, message: "step 20 failed (tok-9)"))
        m.answer("GET", "/logs", 200, json: ["logs": ""])
        let reason = state == .succeeded ? "-" : "step 20 failed ([redacted])"
        #expect(m.events == ["started \(Self.a0) a-1", "finished \(Self.a0) \(state.rawValue): \(reason)"])
    }

    @Test func finalStatusWithoutMessageSaysHowItEnded() {
        var m = M()
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "user_error"))
        m.answer("GET", "/logs", 200, json: ["logs": ""])
        #expect(m.events.last == "finished \(Self.a0) user_error: execution a-1 ended user_error")
    }

    @Test(arguments: ["submitted", "running", "some_future_status"])
    func nonFinalStatusIsCheckedAgainNextInterval(status: String) {
        var m = M(interval: 40)
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", status))
        #expect(m.events == ["started \(Self.a0) a-1"])
        #expect(m.wakeLog.last.map { $0.due - $0.asked } == 40)
    }

    @Test func failedChecksBackOffDoublingUpToFiveMinutesAndASuccessResetsIt() {
        var m = M(interval: 40)
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        var waits: [Double] = []
        let failures: [Result<HTTPReply, TransportFailure>] = [
            .success(HTTPReply(status: 503, headers: [:], body: Data())), .failure(.unreachable("refused")),
            .failure(.timedOut), .success(HTTPReply(status: 429, headers: [:], body: Data())),
            .success(HTTPReply(status: 200, headers: [:], body: Data("not json".utf8))), .failure(.lost("reset")),
        ]
        for failure in failures {
            m.advanceToNextWake()
            m.reply("GET", "/executions/a-1", failure)
            waits.append(m.wakeLog.last!.due - m.wakeLog.last!.asked)
        }
        #expect(waits == [80, 160, 300, 300, 300, 300])
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "running"))
        #expect(m.wakeLog.last.map { $0.due - $0.asked } == 40, "back to the interval")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 503)
        #expect(m.wakeLog.last.map { $0.due - $0.asked } == 80, "doubling starts over")
        #expect(m.events == ["started \(Self.a0) a-1"], "an outage while the job runs is not a failure")
    }

    @Test func shortIntervalBacksOffByDoublingAndNeverBeyondFiveMinutes() {
        var m = M(interval: 0.1)
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        var waits: [Double] = []
        for _ in 0..<14 {
            m.advanceToNextWake()
            m.answer("GET", "/executions/a-1", 500)
            waits.append(m.wakeLog.last!.due - m.wakeLog.last!.asked)
        }
        #expect(waits.prefix(4).map { ($0 * 1000).rounded() } == [200, 400, 800, 1600])
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 <= $1 + 1e-6 })
        #expect(waits.max()! <= 300)
    }

    @Test func checkRefusedForGoodFailsAsPlatformErrorAfterReadingTheLogs() {
        var m = M()
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 403, json: ["messages": ["forbidden"]])
        m.answer("GET", "/logs", 200, json: ["logs": "x\n"])
        #expect(m.events.suffix(2) == ["stdout \(Self.a0) [\"x\"]",
                                       "finished \(Self.a0) platform_error: reading execution a-1 failed (HTTP 403): forbidden"])
    }

    // MARK: - Logs

    @Test func refusedLogsReadGivesOnePointerLineToLogsURLAndIsNotAFailure() {
        var m = M()
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "succeeded", logsURL: "https://logs.example.com/a-1"))
        m.answer("GET", "/logs", 404, json: ["messages": ["logs are available only while the execution runs"]])
        #expect(m.events == ["started \(Self.a0) a-1",
                             "stderr \(Self.a0) [\"metajob: the Control Service did not give the logs of execution a-1 (HTTP 404); they are kept at https://logs.example.com/a-1\"]",
                             "finished \(Self.a0) succeeded: -"])
    }

    @Test func failedLogsReadWithoutLogsURLSaysSo() {
        var m = M()
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "user_error", message: "boom"))
        m.fail("GET", "/logs", .timedOut)
        #expect(m.events.suffix(2) == ["stderr \(Self.a0) [\"metajob: the Control Service did not give the logs of execution a-1 (timed out); the service gave no logs_url for them\"]",
                                       "finished \(Self.a0) user_error: boom"])
    }

    @Test func logsAreScrubbedOfSecrets() {
        var m = M(secrets: ["s3cr3t"])
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "succeeded"))
        m.answer("GET", "/logs", 200, json: ["logs": "token=s3cr3t\n"])
        #expect(m.events.contains("stdout \(Self.a0) [\"token=[redacted]\"]"))
    }

    // MARK: - Cancel and stop

    @Test func cancelSendsDeleteAndEndsCancelledOnceTheServiceConfirms() {
        var m = M()
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.terminate(job: 0)
        #expect(m.requestLines.last == "DELETE /data-jobs/for-team/team-a/jobs/a/executions/a-1")
        m.advance(by: 1000)
        #expect(m.requests("GET", "/executions/a-1").isEmpty, "no status check while the cancel is out")
        m.answer("DELETE", "/executions/a-1", 200)
        m.answer("GET", "/logs", 200, json: ["logs": "bye\n"])
        #expect(m.events == ["started \(Self.a0) a-1", "stdout \(Self.a0) [\"bye\"]", "finished \(Self.a0) cancelled: cancelled on the Control Service"])
        m.terminate(job: 0)
        #expect(m.requests("DELETE").count == 1)
    }

    @Test func cancelWhileStartingGoesOutOnceTheExecutionIsKnown() {
        var m = M()
        m.start("a", job: 0)
        m.terminate(job: 0)
        #expect(m.requests("DELETE").isEmpty)
        m.accept("a", id: "a-1")
        #expect(m.requestLines.last == "DELETE /data-jobs/for-team/team-a/jobs/a/executions/a-1")
        #expect(m.wakes.isEmpty, "no status check is scheduled alongside")
    }

    @Test func cancelWhileTheStartIsRefusedEndsCancelledNotDelayed() {
        var m = M()
        m.start("a", job: 0)
        m.terminate(job: 0)
        m.answer("POST", "/executions", 409)
        #expect(m.events == ["finished \(Self.a0) cancelled: cancelled before it started"])
    }

    @Test func stopDuringAnOutageCancelsOnceTheServiceIsBack() {
        var m = M(interval: 10)
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.terminate(job: 0)
        m.fail("DELETE", "/executions/a-1", .unreachable("Connection refused"))
        // Not confirmed: the status is checked (backing off while the service is down), then the cancel goes again.
        m.advanceToNextWake()
        m.fail("GET", "/executions/a-1", .unreachable("Connection refused"))
        m.advanceToNextWake()
        m.fail("GET", "/executions/a-1", .unreachable("Connection refused"))
        #expect(m.requests("DELETE").count == 1)
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "running"))
        #expect(m.requestLines.last == "DELETE /data-jobs/for-team/team-a/jobs/a/executions/a-1", "the service is back: cancel again")
        m.answer("DELETE", "/executions/a-1", 200)
        m.answer("GET", "/logs", 404)
        #expect(m.events.last == "finished \(Self.a0) cancelled: cancelled on the Control Service")
        #expect(m.requests("DELETE").count == 2)
    }

    @Test func stopDuringAnOutageEndsWithTheStatusWhenTheExecutionEndedMeanwhile() {
        var m = M(interval: 10)
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.terminate(job: 0)
        m.answer("DELETE", "/executions/a-1", 503)
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "succeeded"))
        m.answer("GET", "/logs", 200, json: ["logs": ""])
        #expect(m.events.last == "finished \(Self.a0) succeeded: -")
        #expect(m.requests("DELETE").count == 1)
    }

    @Test func secondStopEndsCancelledWithALineNamingTheExecution() {
        var m = M()
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.terminate(job: 0)
        m.fail("DELETE", "/executions/a-1", .unreachable("Connection refused"))
        m.terminate(job: 0, grace: 0)
        let note = "metajob: stopped before the Control Service confirmed the cancel: execution a-1 of a may still run there; cancel it on the Control Service once it can be reached"
        #expect(m.events == ["started \(Self.a0) a-1", "stderr \(Self.a0) [\"\(note)\"]", "finished \(Self.a0) cancelled: \(note)"])
        // Whatever the service says later changes nothing.
        m.advance(by: 10_000)
        m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", "running"))
        #expect(m.events.count == 3 && m.requests("DELETE").count == 1)
    }

    @Test func secondStopWithGraceWaitsForTheService() {
        var m = M()
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        m.terminate(job: 0)
        m.terminate(job: 0, grace: 10)
        #expect(m.events == ["started \(Self.a0) a-1"])
    }

    @Test func secondStopWhileTheStartIsUnansweredSaysAnExecutionMayRun() {
        var m = M()
        m.start("a", job: 0)
        m.terminate(job: 0)
        m.terminate(job: 0, grace: 0)
        #expect(m.events.count == 2)
        #expect(m.events[0].hasPrefix("stderr \(Self.a0) [\"metajob: stopped while the start of a was unanswered: an execution of it may still run"))
        #expect(m.events[1].hasPrefix("finished \(Self.a0) cancelled: "))
        m.accept("a", id: "a-1")
        #expect(m.events.count == 2 && m.requests("DELETE").isEmpty)
    }

    // MARK: - Re-attach (resume)

    @Test func adoptedExecutionIsReattachedByIdNotStarted() {
        var m = M(interval: 40, adopt: ["a": "a-42"])
        m.start("a", job: 0)
        #expect(m.requestLines == ["GET /data-jobs/for-team/team-a/jobs/a/executions/a-42"])
        m.answer("GET", "/executions/a-42", 200, json: M.execution("a-42", "running"))
        #expect(m.events == ["started \(Self.a0) a-42"])
        #expect(m.wakeLog.last.map { $0.due - $0.asked } == 40)
        m.advanceToNextWake()
        m.answer("GET", "/executions/a-42", 200, json: M.execution("a-42", "succeeded"))
        m.answer("GET", "/logs", 200, json: ["logs": "done\n"])
        #expect(m.events.last == "finished \(Self.a0) succeeded: -")
        #expect(m.requests("POST").isEmpty)
    }

    @Test func adoptedExecutionThatAlreadyEndedEndsWithItsStatus() {
        var m = M(adopt: ["a": "a-42"])
        m.start("a", job: 0)
        m.answer("GET", "/executions/a-42", 200, json: M.execution("a-42", "user_error", message: "bad row"))
        m.answer("GET", "/logs", 200, json: ["logs": ""])
        #expect(m.events == ["started \(Self.a0) a-42", "finished \(Self.a0) user_error: bad row"])
    }

    @Test func adoptedExecutionTheServiceNoLongerKnowsIsStartedAnew() {
        var m = M(adopt: ["a": "a-gone"])
        m.start("a", job: 0)
        m.answer("GET", "/executions/a-gone", 404)
        #expect(m.sent.last?.method == "POST")
        m.accept("a", id: "a-1")
        #expect(m.events == ["started \(Self.a0) a-1"])
    }

    @Test func adoptedExecutionUnreadableDuringAnOutageIsKeptForTheNextStart() {
        var m = M(adopt: ["a": "a-42"])
        m.start("a", job: 0)
        m.fail("GET", "/executions/a-42", .unreachable("Connection refused"))
        #expect(m.events == ["refused \(Self.a0) server_error: cannot read execution a-42 to re-attach it: Connection refused"])
        m.start("a", job: 0)
        #expect(m.requestLines.last == "GET /data-jobs/for-team/team-a/jobs/a/executions/a-42")
        #expect(m.requests("POST").isEmpty)
    }

    @Test func adoptedExecutionRefusedForGoodFailsAsPlatformError() {
        var m = M(adopt: ["a": "a-42"])
        m.start("a", job: 0)
        m.answer("GET", "/executions/a-42", 403, json: ["messages": ["not your team"]])
        #expect(m.events == ["finished \(Self.a0) platform_error: reading execution a-42 to re-attach it failed (HTTP 403): not your team"])
    }

    // MARK: - Request budget

    /// The budget's arithmetic on the machine itself: a job of E = 900 s at S = 40 s costs one start, one
    /// check per interval (the one that sees the end included) and one logs read.
    @Test func oneJobCostsOneStartAChecksPerIntervalAndOneLogsRead() {
        var m = M(interval: 40)
        m.start("a", job: 0)
        m.accept("a", id: "a-1")
        let end = 900.0
        while m.state.attempts[M.key(0)]?.phase == .polling {
            m.advanceToNextWake()
            m.answer("GET", "/executions/a-1", 200, json: M.execution("a-1", m.now >= end ? "succeeded" : "running"))
        }
        m.answer("GET", "/logs", 200, json: ["logs": ""])
        let checks = m.requests("GET", "/executions/a-1").count
        #expect(m.requests("POST").count == 1 && m.requests("GET", "/logs").count == 1)
        #expect(checks <= Int((end / 40).rounded(.up)) + 1, "\(checks) checks")
        #expect(m.sent.count <= 2 + Int(end / 40) + 1)
    }
}
