import Foundation
import MetaJobCore

// A running execution: status checks with back-off, the cancel, the end and its logs.
extension RemoteState {
    // MARK: - Status

    /// The next status check `delay` seconds from now; it replaces any check asked for before.
    mutating func schedulePoll(_ key: AttemptKey, after delay: Double) {
        let ticket = wake(key, .poll, after: delay)
        attempts[key]?.pollTimer = ticket
    }

    mutating func statusAnswered(_ key: AttemptKey, _ result: Result<HTTPReply, TransportFailure>) {
        guard let attempt = attempts[key], attempt.phase == .polling else { return }
        switch result {
        case .success(let reply) where reply.status == 200:
            guard let info = ExecutionInfo.decode(reply.body) else { return backOff(key) }
            attempts[key]?.pollFailures = 0
            executionSeen(key, info)
        case .success(let reply) where reply.status >= 500 || reply.status == 429:
            backOff(key)
        case .success(let reply):
            let id = attempt.executionId ?? ""
            finish(key, attempt.cancelRequested ? .cancelled : .platformError,
                   "reading execution \(id) failed (HTTP \(reply.status)): \(words.describe(reply.body))")
        case .failure(.token(let message, let transient)):
            if transient { backOff(key) } else { finish(key, .platformError, message) }
        case .failure:
            backOff(key)
        }
    }

    /// A status check failed for a passing reason: check again later, waiting twice as long each time (up to
    /// 5 minutes, or the interval when that is longer).
    mutating func backOff(_ key: AttemptKey) {
        attempts[key]?.pollFailures += 1
        schedulePoll(key, after: Self.backOff(interval, failures: attempts[key]!.pollFailures))
    }

    /// The wait after `failures` failed reads in a row, each normally `base` apart: doubled each time, up to
    /// 5 minutes (or `base` when that is longer).
    static func backOff(_ base: Double, failures: Int) -> Double {
        min(max(base, 300), base * Double(1 << min(failures, 10)))
    }

    /// The service described the execution: end it when its status is final, else check again in an interval.
    mutating func executionSeen(_ key: AttemptKey, _ info: ExecutionInfo) {
        if let url = info.logsURL { attempts[key]?.logsURL = url }
        if let state = info.state, state.isFinal {
            let reason = state == .succeeded ? nil : (info.message.map { words.redact($0) } ?? "execution \(info.id) ended \(info.status)")
            finish(key, state, reason)
            return
        }
        let attempt = attempts[key]!
        if attempt.cancelRequested && !attempt.cancelSent { sendCancel(key); return }
        schedulePoll(key, after: expectedCheckDelay(key) ?? interval)
    }

    // MARK: - Cancel

    mutating func sendCancel(_ key: AttemptKey) {
        attempts[key]?.cancelSent = true
        attempts[key]?.pollTimer = nil
        send(key, .cancel, "DELETE", attempts[key]!.executionPath)
    }

    mutating func cancelAnswered(_ key: AttemptKey, _ result: Result<HTTPReply, TransportFailure>) {
        guard attempts[key]?.phase == .polling else { return }
        if case .success(let reply) = result, (200..<300).contains(reply.status) {
            finish(key, .cancelled, "cancelled on the Control Service")
        } else {
            // Not confirmed: check the status (a later check sends the cancel again).
            attempts[key]?.cancelSent = false
            schedulePoll(key, after: interval)
        }
    }

    /// Ends the attempt as cancelled without the service confirming it; the job's output says what may be left
    /// running there (the run's state machine words the reason of a stopped job itself).
    mutating func abandon(_ key: AttemptKey) {
        let attempt = attempts[key]!
        let job = attempt.request.jobName
        let note: String
        if let id = attempt.executionId {
            note = "metajob: stopped before the Control Service confirmed the cancel: execution \(id) of \(job) may still run there; "
                + "cancel it on the Control Service once it can be reached"
        } else {
            note = "metajob: stopped while the start of \(job) was unanswered: an execution of it may still run on the Control Service; "
                + "look for it among the job's executions there once it can be reached"
        }
        emit(.output(key, .stderr, LogLines([Array(words.redact(note).utf8)])))
        fail(key, .cancelled, note)
    }

    // MARK: - End

    /// The execution ended: read its logs once more (the rest of them, when some were read while it ran),
    /// then report the end.
    mutating func finish(_ key: AttemptKey, _ state: JobState, _ reason: String?) {
        attempts[key]?.phase = .finishing
        attempts[key]?.pollTimer = nil
        attempts[key]?.liveTimer = nil
        guard let attempt = attempts[key], attempt.executionId != nil else {
            fail(key, state, reason ?? state.rawValue)
            return
        }
        send(key, .finalLogs(state, reason: reason), "GET", attempt.executionPath + "/logs")
    }

    mutating func finalLogsAnswered(_ key: AttemptKey, _ state: JobState, _ reason: String?,
                                    _ result: Result<HTTPReply, TransportFailure>) {
        guard var attempt = attempts.removeValue(forKey: key) else { return }
        if let text = Self.logsText(result) {
            passOn(key, attempt.logs.take(text, final: true), executionId: attempt.executionId ?? "")
        } else {
            var lines: [[UInt8]] = []
            // The line that was still being written when the logs were last read: all there is of it.
            if let partial = attempt.logs.takePartial() { lines.append(words.redact(line: partial)) }
            let note = "metajob: the Control Service did not give the logs of execution \(attempt.executionId ?? "") (\(Self.why(result))); "
                + (attempt.logsURL.map { "they are kept at \($0)" } ?? "the service gave no logs_url for them")
            if !lines.isEmpty { emit(.output(key, .stdout, LogLines(lines))) }
            emit(.output(key, .stderr, LogLines([Array(words.redact(note).utf8)])))
        }
        emit(.finished(key, .status(state, exitCode: nil, reason: reason)))
    }

    /// The logs text of a successful logs read, as bytes; nil when the read failed or was refused.
    static func logsText(_ result: Result<HTTPReply, TransportFailure>) -> [UInt8]? {
        guard case .success(let reply) = result, reply.status == 200,
              let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any] else { return nil }
        return Array((object["logs"] as? String ?? "").utf8)
    }

    /// Emits what a logs read added (secrets removed), with a note first when lines may be missing.
    mutating func passOn(_ key: AttemptKey, _ taken: RemoteLogCursor.Taken, executionId: String) {
        if taken.gap {
            let note = "metajob: the logs of execution \(executionId) no longer begin as they did when last read; lines written in between may be missing"
            emit(.output(key, .stderr, LogLines([Array(words.redact(note).utf8)])))
        }
        if !taken.lines.isEmpty { emit(.output(key, .stdout, LogLines(taken.lines.map { words.redact(line: $0) }))) }
    }
}
