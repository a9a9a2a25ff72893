import MetaJobCore
import MetaJobRunner

/// Prints a run as plain lines: one per state change, job output only with `--logs` (sanitized).
public final class PlainPrinter: RunObserver, @unchecked Sendable {
    private let out: OutputWriter
    private let showLogs: Bool
    private var snapshot: RunSnapshot?
    private var nameWidth = 0

    public init(out: OutputWriter, showLogs: Bool) {
        self.out = out
        self.showLogs = showLogs
    }

    public func attach(_ snapshot: RunSnapshot) {
        self.snapshot = snapshot
        nameWidth = min(32, snapshot.state.graph.names.map(\.count).max() ?? 0)
    }

    public func receive(_ event: RunEvent) {
        guard let snapshot else { return }
        let names = snapshot.state.graph.names
        let stamp = TimeFormat.clock(event.time)
        switch event.kind {
        case .runStarted:
            let s = snapshot.state.settings
            out.write("\(stamp) \(TerminalSanitizer.sanitize(Array(snapshot.info.metaJobName.utf8))): run \(snapshot.info.runId) started — \(names.count) jobs, at most \(s.maxConcurrentRunningJobs) at a time\n")
        case .job(let u):
            var line = "\(stamp) \(padded(names[u.job])) \(u.state.rawValue)"
            var details: [String] = []
            if u.attempt > 0 { details.append("attempt \(u.attempt)") }
            if let code = u.exitCode, u.state != .succeeded { details.append("exit code \(code)") }
            if let id = u.executionId { details.append("execution \(id)") }
            if !details.isEmpty { line += " (" + details.joined(separator: ", ") + ")" }
            if let reason = u.reason, u.state != .succeeded {
                line += ": " + TerminalSanitizer.sanitize(Array(reason.utf8))
            }
            if u.state == .delayed, let readyAt = u.readyAt {
                line += "; next try in " + TimeFormat.duration(max(0, snapshot.wallTime(readyAt) - event.time))
            }
            out.write(line + "\n")
        case let .log(job, _, stream, bytes):
            guard showLogs else { return }
            let marker = stream == .stderr ? " !" : " |"
            out.write(padded(names[job]) + marker + " " + TerminalSanitizer.sanitize(bytes) + "\n")
        case let .controls(paused, limit):
            out.write("\(stamp) controls: \(paused ? "paused" : "running"), at most \(limit) at a time\n")
        case .runReopened:
            out.write("\(stamp) run reopened by a retry\n")
        case .runFinished(let outcome):
            out.write("\(stamp) \(TerminalSanitizer.sanitize(Array(snapshot.info.metaJobName.utf8))): \(outcome.rawValue)\n")
        }
    }

    public func flush() { out.flushSoon() }

    private func padded(_ name: String) -> String {
        let safe = TerminalSanitizer.sanitize(Array(name.utf8))
        return safe.count >= nameWidth ? safe : safe + String(repeating: " ", count: nameWidth - safe.count)
    }
}
