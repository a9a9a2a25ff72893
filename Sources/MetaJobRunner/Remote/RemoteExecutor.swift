import Dispatch
import Foundation
import MetaJobCore

/// Runs jobs as executions of deployed data jobs on the VDK Control Service: starts them, checks their status
/// every interval, reads their logs once at the end, cancels them on request.
///
/// Request budget per job: one start, one status check per interval (the check that sees the end carries the
/// final status), one logs read. Start refusals (409, 5xx, unreachable) go to the runner's delay queue;
/// failed status checks back off. A start that may have created an execution without saying so (no answer,
/// a lost connection, 5xx) is looked for in the job's executions before the job is started again.
/// `@unchecked Sendable`: every access to its state is on `queue`.
public final class RemoteExecutor: JobExecutor, @unchecked Sendable {
    private let queue: DispatchQueue
    private let configuration: RemoteConfiguration
    private let onEvent: (ExecutorEvent) -> Void
    private let client: ControlServiceClient
    private var attempts: [AttemptKey: RemoteAttempt] = [:]
    private var adoptions: [String: String]
    /// Jobs whose start may have created an execution nobody could look for yet (no answer, and the lists
    /// after it failed too): job name → when that start was sent. Their next start lists before it posts,
    /// so an outage cannot make us start one job twice.
    private var unsettledStarts: [String: Double] = [:]
    private var starts = 0

    /// An executor speaking to the service in `configuration`; events go to `onEvent`, on `queue`.
    public init(queue: DispatchQueue, configuration: RemoteConfiguration, onEvent: @escaping (ExecutorEvent) -> Void) {
        self.queue = queue
        self.configuration = configuration
        self.onEvent = onEvent
        self.adoptions = configuration.adoptExecutions
        self.client = ControlServiceClient(queue: queue, configuration: configuration)
    }

    deinit { client.close() }

    private var interval: Double { max(0.05, configuration.statusCheckSeconds) }

    // MARK: - JobExecutor

    /// Starts an execution of the request's data job (or re-attaches the one an interrupted run left running).
    public func start(_ request: LaunchRequest) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let team = request.teamName, !team.isEmpty else {
            emit(.finished(request.key, .status(.platformError, exitCode: nil,
                reason: "job \(request.jobName) has no team_name: the Control Service needs one. Add `team_name` to the job or `team` at the top level.")))
            return
        }
        let attempt = RemoteAttempt(request: request, team: team, slot: starts)
        starts += 1
        attempts[request.key] = attempt
        if let id = adoptions.removeValue(forKey: request.jobName) {
            reattach(attempt, id)
        } else if let since = unsettledStarts[request.jobName] {
            attempt.submittedAt = since
            findOurs(attempt)
        } else {
            submit(attempt)
        }
    }

    /// Cancels the attempt's execution (DELETE); the service decides how long stopping takes, not `graceSeconds`.
    /// Asked again without grace (a second Ctrl-C), it stops waiting for the service's word.
    public func terminate(_ key: AttemptKey, graceSeconds: Double) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let attempt = attempts[key] else { return }
        if attempt.cancelRequested {
            // The service may be unreachable for good: the user must still be able to end the run.
            if graceSeconds == 0 && attempt.phase != .finishing { abandon(attempt) }
            return
        }
        attempt.cancelRequested = true
        // Still starting: the cancel goes out as soon as the execution id is known.
        if attempt.phase == .polling { sendCancel(attempt) }
    }

    // MARK: - Start

    private func submit(_ attempt: RemoteAttempt) {
        attempt.phase = .starting
        attempt.submittedAt = Date().timeIntervalSince1970
        var body = "{\"started_by\":" + JSONValue.string(attempt.request.startedBy).jsonText
        body += ",\"args\":" + (attempt.request.arguments?.jsonText ?? "{}") + "}"
        let path = attempt.jobPath + "/deployments/" + ControlServiceClient.segment(configuration.deploymentId) + "/executions"
        client.send("POST", path, body: Data(body.utf8)) { [self] result in
            guard attempts[attempt.request.key] === attempt else { return }
            startAnswered(attempt, result)
        }
    }

    private func startAnswered(_ attempt: RemoteAttempt, _ result: Result<HTTPReply, TransportFailure>) {
        let job = attempt.request.jobName
        switch result {
        case .success(let reply) where (200..<300).contains(reply.status):
            if let id = reply.locationId {
                began(attempt, id)
            } else {
                // Started, but the answer does not say which execution: find it rather than start another
                // (counted like a lost answer, so a service that never says cannot make us start forever).
                attempt.startTimeouts += 1
                findOurs(attempt)
            }
        case .success(let reply) where reply.status == 409:
            refuse(attempt, .conflict(message: client.words.describe(reply.body)))
        case .success(let reply) where reply.status >= 500:
            // A gateway's 502/504 may come after the service created the execution: look before the next POST.
            unsettle(attempt)
            refuse(attempt, .serverError(message: "HTTP \(reply.status): \(client.words.describe(reply.body))"))
        case .success(let reply):
            fail(attempt, .platformError, "the Control Service refused to start \(job) (HTTP \(reply.status)): \(client.words.describe(reply.body))")
        case .failure(.timedOut), .failure(.lost):
            // The execution may have been created: look before starting again.
            attempt.startTimeouts += 1
            findOurs(attempt)
        case .failure(.unreachable(let message)):
            refuse(attempt, .serverError(message: "cannot reach the Control Service at \(client.serviceURL): \(message)"))
        case .failure(.token(let message, let transient)):
            if transient { refuse(attempt, .serverError(message: message)) } else { fail(attempt, .platformError, message) }
        }
    }

    /// After a start that timed out: list the job's executions and adopt the one we started, if any.
    private func findOurs(_ attempt: RemoteAttempt) {
        client.send("GET", attempt.jobPath + "/executions") { [self] result in
            guard attempts[attempt.request.key] === attempt else { return }
            if case .success(let reply) = result, reply.status == 200, let list = ExecutionInfo.decodeList(reply.body) {
                attempt.listFailures = 0
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
                    began(attempt, ours.id)
                } else if attempt.startTimeouts >= 3 {
                    refuse(attempt, .serverError(message: "the start of \(attempt.request.jobName) got no usable answer \(attempt.startTimeouts) times"))
                } else {
                    submit(attempt)
                }
                return
            }
            attempt.listFailures += 1
            if attempt.listFailures >= 3 {
                // Unknown whether it started: the delay queue waits, and the next start looks again first.
                unsettle(attempt)
                refuse(attempt, .serverError(message: "the start of \(attempt.request.jobName) got no answer and its executions could not be listed"))
            } else {
                let delay = min(60, interval * Double(1 << attempt.listFailures))
                queue.asyncAfter(deadline: .now() + delay) { [self] in
                    if attempts[attempt.request.key] === attempt { findOurs(attempt) }
                }
            }
        }
    }

    /// Remembers that `attempt`'s start may have created an execution: the job's next start lists first.
    private func unsettle(_ attempt: RemoteAttempt) {
        let job = attempt.request.jobName
        unsettledStarts[job] = min(unsettledStarts[job] ?? attempt.submittedAt, attempt.submittedAt)
    }

    /// Re-attaches an execution started by an earlier, interrupted run.
    private func reattach(_ attempt: RemoteAttempt, _ id: String) {
        attempt.executionId = id
        client.send("GET", attempt.executionPath) { [self] result in
            guard attempts[attempt.request.key] === attempt else { return }
            if case .success(let reply) = result, reply.status == 200, let info = ExecutionInfo.decode(reply.body) {
                began(attempt, id)
                statusAnswered(attempt, info)
                return
            }
            switch result {
            case .success(let reply) where reply.status == 404:
                // Gone from the service: start a new execution as usual.
                attempt.executionId = nil
                submit(attempt)
            case .success(let reply) where (400..<500).contains(reply.status):
                fail(attempt, .platformError, "reading execution \(id) to re-attach it failed (HTTP \(reply.status)): \(client.words.describe(reply.body))")
            case .failure(.token(let message, false)):
                fail(attempt, .platformError, message)
            default:
                // Unknown for now (outage, bad answer): keep the id for the next start, which comes after the delay.
                adoptions[attempt.request.jobName] = id
                attempt.executionId = nil
                let why: String
                switch result {
                case .success(let reply): why = "HTTP \(reply.status)"
                case .failure(.timedOut): why = "timed out"
                case .failure(.unreachable(let message)), .failure(.lost(let message)), .failure(.token(let message, _)): why = message
                }
                refuse(attempt, .serverError(message: "cannot read execution \(id) to re-attach it: \(why)"))
            }
        }
    }

    private func began(_ attempt: RemoteAttempt, _ id: String) {
        attempt.executionId = id
        attempt.phase = .polling
        emit(.started(attempt.request.key, executionId: id))
        if attempt.cancelRequested {
            sendCancel(attempt)
            return
        }
        // Spread first checks over the last quarter of the interval, so jobs started together do not check together.
        let golden = 0.618_033_988_75
        let spread = (Double(attempt.slot) * golden).truncatingRemainder(dividingBy: 1)
        schedulePoll(attempt, after: interval * (0.75 + 0.25 * spread))
    }

    private func refuse(_ attempt: RemoteAttempt, _ reason: DelayReason) {
        attempts[attempt.request.key] = nil
        if attempt.cancelRequested {
            emit(.finished(attempt.request.key, .status(.cancelled, exitCode: nil, reason: "cancelled before it started")))
        } else {
            emit(.refused(attempt.request.key, reason))
        }
    }

    private func fail(_ attempt: RemoteAttempt, _ state: JobState, _ reason: String) {
        attempts[attempt.request.key] = nil
        emit(.finished(attempt.request.key, .status(state, exitCode: nil, reason: reason)))
    }

    // MARK: - Status

    private func schedulePoll(_ attempt: RemoteAttempt, after delay: Double) {
        attempt.pollGeneration += 1
        let generation = attempt.pollGeneration
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            guard attempts[attempt.request.key] === attempt, attempt.phase == .polling,
                  attempt.pollGeneration == generation else { return }
            poll(attempt)
        }
    }

    private func poll(_ attempt: RemoteAttempt) {
        client.send("GET", attempt.executionPath) { [self] result in
            guard attempts[attempt.request.key] === attempt, attempt.phase == .polling else { return }
            switch result {
            case .success(let reply) where reply.status == 200:
                guard let info = ExecutionInfo.decode(reply.body) else { return backOff(attempt) }
                attempt.pollFailures = 0
                statusAnswered(attempt, info)
            case .success(let reply) where reply.status >= 500 || reply.status == 429:
                backOff(attempt)
            case .success(let reply):
                let id = attempt.executionId ?? ""
                finish(attempt, attempt.cancelRequested ? .cancelled : .platformError,
                       "reading execution \(id) failed (HTTP \(reply.status)): \(client.words.describe(reply.body))")
            case .failure(.token(let message, let transient)):
                if transient { backOff(attempt) } else { finish(attempt, .platformError, message) }
            case .failure:
                backOff(attempt)
            }
        }
    }

    /// A status check failed for a passing reason: check again later, waiting longer each time.
    private func backOff(_ attempt: RemoteAttempt) {
        attempt.pollFailures += 1
        let delay = min(max(interval, 300), interval * Double(1 << min(attempt.pollFailures, 10)))
        schedulePoll(attempt, after: delay)
    }

    private func statusAnswered(_ attempt: RemoteAttempt, _ info: ExecutionInfo) {
        if let url = info.logsURL { attempt.logsURL = url }
        if let state = info.state, state.isFinal {
            let reason = state == .succeeded ? nil
                : (info.message.map { client.words.redact($0) } ?? "execution \(info.id) ended \(info.status)")
            finish(attempt, state, reason)
            return
        }
        if attempt.cancelRequested && !attempt.cancelSent { sendCancel(attempt); return }
        schedulePoll(attempt, after: interval)
    }

    // MARK: - Cancel

    private func sendCancel(_ attempt: RemoteAttempt) {
        attempt.cancelSent = true
        attempt.pollGeneration += 1
        client.send("DELETE", attempt.executionPath) { [self] result in
            guard attempts[attempt.request.key] === attempt, attempt.phase == .polling else { return }
            if case .success(let reply) = result, (200..<300).contains(reply.status) {
                finish(attempt, .cancelled, "cancelled on the Control Service")
            } else {
                // Not confirmed: check the status (a later check sends the cancel again).
                attempt.cancelSent = false
                schedulePoll(attempt, after: interval)
            }
        }
    }

    /// Ends the attempt as cancelled without the service confirming it; the job's output says what may be left
    /// running there (the run's state machine words the reason of a stopped job itself).
    private func abandon(_ attempt: RemoteAttempt) {
        attempt.pollGeneration += 1
        let job = attempt.request.jobName
        let note: String
        if let id = attempt.executionId {
            note = "metajob: stopped before the Control Service confirmed the cancel: execution \(id) of \(job) may still run there; "
                + "cancel it on the Control Service once it can be reached"
        } else {
            note = "metajob: stopped while the start of \(job) was unanswered: an execution of it may still run on the Control Service; "
                + "look for it among the job's executions there once it can be reached"
        }
        emit(.output(attempt.request.key, .stderr, LogLines([Array(client.words.redact(note).utf8)])))
        fail(attempt, .cancelled, note)
    }

    // MARK: - End

    /// The execution ended: read its logs once, then report the end.
    private func finish(_ attempt: RemoteAttempt, _ state: JobState, _ reason: String?) {
        attempt.phase = .finishing
        attempt.pollGeneration += 1
        guard attempt.executionId != nil else {
            fail(attempt, state, reason ?? state.rawValue)
            return
        }
        let key = attempt.request.key
        client.send("GET", attempt.executionPath + "/logs") { [self] result in
            guard attempts[key] === attempt else { return }
            attempts[key] = nil
            let words = client.words
            if case .success(let reply) = result, reply.status == 200,
               let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any] {
                let lines = RemoteExecutor.lines(of: object["logs"] as? String ?? "").map { words.redact(line: $0) }
                if !lines.isEmpty { onEvent(.output(key, .stdout, LogLines(lines))) }
            } else {
                let why: String
                switch result {
                case .success(let reply): why = "HTTP \(reply.status)"
                case .failure(.timedOut): why = "timed out"
                case .failure(.unreachable(let message)), .failure(.lost(let message)), .failure(.token(let message, _)): why = message
                }
                let id = attempt.executionId ?? ""
                let note = "metajob: the Control Service did not give the logs of execution \(id) (\(why)); "
                    + (attempt.logsURL.map { "they are kept at \($0)" } ?? "the service gave no logs_url for them")
                onEvent(.output(key, .stderr, LogLines([Array(words.redact(note).utf8)])))
            }
            onEvent(.finished(key, .status(state, exitCode: nil, reason: reason)))
        }
    }

    /// The lines of a logs text, without their terminators.
    static func lines(of text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if current.last == UInt8(ascii: "\r") { current.removeLast() }
                lines.append(current)
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Delivers an event later on the queue: never from inside `start`/`terminate`.
    private func emit(_ event: ExecutorEvent) {
        queue.async { [self] in onEvent(event) }
    }
}
