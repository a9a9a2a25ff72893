import Foundation
import MetaJobCore

// Starting an attempt: the POST, the list after a start that got no answer, re-attaching by id.
extension RemoteState {
    mutating func start(_ request: LaunchRequest) {
        guard let team = request.teamName, !team.isEmpty else {
            emit(.finished(request.key, .status(.platformError, exitCode: nil,
                reason: "job \(request.jobName) has no team_name: the Control Service needs one. Add `team_name` to the job or `team` at the top level.")))
            return
        }
        let key = request.key
        attempts[key] = RemoteAttempt(request: request, team: team, slot: starts)
        starts += 1
        if let id = adoptions.removeValue(forKey: request.jobName) {
            attempts[key]?.executionId = id
            send(key, .reattach(executionId: id), "GET", attempts[key]!.executionPath)
        } else if let since = unsettledStarts[request.jobName] {
            attempts[key]?.submittedAt = since
            findOurs(key)
        } else {
            submit(key)
        }
    }

    mutating func terminate(_ key: AttemptKey, graceSeconds: Double) {
        guard let attempt = attempts[key] else { return }
        if attempt.cancelRequested {
            // The service may be unreachable for good: the user must still be able to end the run.
            if graceSeconds == 0 && attempt.phase != .finishing { abandon(key) }
            return
        }
        attempts[key]?.cancelRequested = true
        // Still starting: the cancel goes out as soon as the execution id is known.
        if attempt.phase == .polling { sendCancel(key) }
    }

    // MARK: - Start

    mutating func submit(_ key: AttemptKey) {
        attempts[key]?.phase = .starting
        attempts[key]?.submittedAt = wall
        let attempt = attempts[key]!
        var body = "{\"started_by\":" + JSONValue.string(attempt.request.startedBy).jsonText
        body += ",\"args\":" + (attempt.request.arguments?.jsonText ?? "{}") + "}"
        let path = attempt.jobPath + "/deployments/" + ControlServiceClient.segment(deploymentId) + "/executions"
        send(key, .start, "POST", path, body: Data(body.utf8))
    }

    mutating func startAnswered(_ key: AttemptKey, _ result: Result<HTTPReply, TransportFailure>) {
        let job = attempts[key]!.request.jobName
        switch result {
        case .success(let reply) where (200..<300).contains(reply.status):
            if let id = reply.locationId {
                began(key, id)
            } else {
                // Started, but the answer does not say which execution: find it rather than start another
                // (counted like a lost answer, so a service that never says cannot make us start forever).
                attempts[key]?.startTimeouts += 1
                findOurs(key)
            }
        case .success(let reply) where reply.status == 409:
            refuse(key, .conflict(message: words.describe(reply.body)))
        case .success(let reply) where reply.status >= 500:
            // A gateway's 502/504 may come after the service created the execution: look before the next POST.
            unsettle(key)
            refuse(key, .serverError(message: "HTTP \(reply.status): \(words.describe(reply.body))"))
        case .success(let reply):
            fail(key, .platformError, "the Control Service refused to start \(job) (HTTP \(reply.status)): \(words.describe(reply.body))")
        case .failure(.timedOut), .failure(.lost):
            // The execution may have been created: look before starting again.
            attempts[key]?.startTimeouts += 1
            findOurs(key)
        case .failure(.unreachable(let message)):
            refuse(key, .serverError(message: "cannot reach the Control Service at \(serviceURL): \(message)"))
        case .failure(.token(let message, let transient)):
            if transient { refuse(key, .serverError(message: message)) } else { fail(key, .platformError, message) }
        }
    }

    // MARK: - Finding a start that got no answer

    /// Lists the job's executions to adopt the one a start without an answer created, if any.
    mutating func findOurs(_ key: AttemptKey) {
        send(key, .list, "GET", attempts[key]!.jobPath + "/executions")
    }

    mutating func listAnswered(_ key: AttemptKey, _ result: Result<HTTPReply, TransportFailure>) {
        let attempt = attempts[key]!
        if case .success(let reply) = result, reply.status == 200, let list = ExecutionInfo.decodeList(reply.body) {
            attempts[key]?.listFailures = 0
            // Whatever the list shows settles whether the earlier start created an execution.
            unsettledStarts[attempt.request.jobName] = nil
            // The service's clock may lag ours a little.
            let since = attempt.submittedAt - 2
            // A submitted execution may have no start_time yet: one of ours still under way counts too.
            let ours = list.filter { e in
                guard e.startedBy == attempt.request.startedBy else { return false }
                if let start = e.startTime { return start >= since }
                return !(e.state?.isFinal ?? false)
            }.min { ($0.startTime ?? .infinity) < ($1.startTime ?? .infinity) }
            if let ours {
                began(key, ours.id)
            } else if attempt.startTimeouts >= 3 {
                refuse(key, .serverError(message: "the start of \(attempt.request.jobName) got no usable answer \(attempt.startTimeouts) times"))
            } else {
                submit(key)
            }
            return
        }
        attempts[key]?.listFailures += 1
        let failures = attempt.listFailures + 1
        if failures >= 3 {
            // Unknown whether it started: the delay queue waits, and the next start looks again first.
            unsettle(key)
            refuse(key, .serverError(message: "the start of \(attempt.request.jobName) got no answer and its executions could not be listed"))
        } else {
            wake(key, .relist, after: min(60, interval * Double(1 << failures)))
        }
    }

    // MARK: - Re-attaching

    mutating func reattachAnswered(_ key: AttemptKey, _ id: String, _ result: Result<HTTPReply, TransportFailure>) {
        if case .success(let reply) = result, reply.status == 200, let info = ExecutionInfo.decode(reply.body) {
            began(key, id, startTime: info.startTime)
            executionSeen(key, info)
            return
        }
        switch result {
        case .success(let reply) where reply.status == 404:
            // Gone from the service: start a new execution as usual.
            attempts[key]?.executionId = nil
            submit(key)
        case .success(let reply) where (400..<500).contains(reply.status):
            fail(key, .platformError, "reading execution \(id) to re-attach it failed (HTTP \(reply.status)): \(words.describe(reply.body))")
        case .failure(.token(let message, false)):
            fail(key, .platformError, message)
        default:
            // Unknown for now (outage, bad answer): keep the id for the next start, which comes after the delay.
            adoptions[attempts[key]!.request.jobName] = id
            attempts[key]?.executionId = nil
            refuse(key, .serverError(message: "cannot read execution \(id) to re-attach it: \(Self.why(result))"))
        }
    }

    // MARK: - Outcomes of a start

    /// The execution is known: report it started and check its status, first 0.75–1 interval from now (or
    /// when the job's expected duration says, see `RemoteState+Expectation`).
    mutating func began(_ key: AttemptKey, _ id: String, startTime: Double? = nil) {
        attempts[key]?.executionId = id
        attempts[key]?.phase = .polling
        // A re-attached execution may have run a while: its checks count from the service's start time.
        attempts[key]?.runningSince = now - max(0, startTime.map { wall - $0 } ?? 0)
        if startTime != nil {
            // The re-attach read was a status check: the schedule goes on from it.
            attempts[key]?.checksMade = 1
            attempts[key]?.lastCheck = now
        }
        emit(.started(key, executionId: id))
        let attempt = attempts[key]!
        if attempt.cancelRequested {
            sendCancel(key)
            return
        }
        if let delay = expectedCheckDelay(key) {
            schedulePoll(key, after: delay)
            if watched.contains(key.job) { scheduleLive(key, after: livePeriod) }
            return
        }
        // Spread first checks over the last quarter of the interval, so jobs started together do not check together.
        let golden = 0.618_033_988_75
        let spread = (Double(attempt.slot) * golden).truncatingRemainder(dividingBy: 1)
        schedulePoll(key, after: interval * (0.75 + 0.25 * spread))
        if watched.contains(key.job) { scheduleLive(key, after: livePeriod) }
    }

    /// A passing refusal: the runner's delay queue starts the attempt again (same number), unless it was cancelled.
    mutating func refuse(_ key: AttemptKey, _ reason: DelayReason) {
        guard let attempt = attempts.removeValue(forKey: key) else { return }
        if attempt.cancelRequested {
            emit(.finished(key, .status(.cancelled, exitCode: nil, reason: "cancelled before it started")))
        } else {
            emit(.refused(key, reason))
        }
    }

    /// The attempt ends here, with no logs to read.
    mutating func fail(_ key: AttemptKey, _ state: JobState, _ reason: String) {
        attempts[key] = nil
        emit(.finished(key, .status(state, exitCode: nil, reason: reason)))
    }

    /// Remembers that `key`'s start may have created an execution: the job's next start lists first.
    mutating func unsettle(_ key: AttemptKey) {
        let attempt = attempts[key]!
        let job = attempt.request.jobName
        unsettledStarts[job] = min(unsettledStarts[job] ?? attempt.submittedAt, attempt.submittedAt)
    }
}
