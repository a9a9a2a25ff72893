import MetaJobCore
import MetaJobScreen

/// Prints a run as plain lines: one per state change, job output only with `--logs` (sanitized).
public final class PlainPrinter: RunObserver, @unchecked Sendable {
    private let out: OutputWriter
    private let showLogs: Bool
    /// What the snapshot said that printing needs later. Not the snapshot itself: keeping its 10,000 jobs'
    /// progress and outline for the whole run cost megabytes of peak memory on DAG10K.
    private var attached = false
    private var runId = ""
    private var limit = 0
    private var wallClockOrigin = 0.0
    /// Jobs whose success was reused from an earlier run (resume), with that run.
    private var reused: [(job: Int, run: String)] = []
    /// Each job's name, sanitized and padded once: printing runs for every event.
    private var paddedNames: [String] = []
    private var metaJobName = ""
    private var lastSecond = -1.0
    private var lastStamp = ""

    public init(out: OutputWriter, showLogs: Bool) {
        self.out = out
        self.showLogs = showLogs
    }

    public func attach(_ snapshot: RunSnapshot) {
        attached = true
        runId = snapshot.outline.runId
        limit = snapshot.limit
        wallClockOrigin = snapshot.wallClockOrigin
        reused = snapshot.jobs.indices.compactMap { j in snapshot.jobs[j].reusedFrom.map { (j, $0) } }
        let names = snapshot.outline.jobs.map(\.name).map { TerminalSanitizer.sanitize(Array($0.utf8)) }
        let width = min(32, names.map(\.count).max() ?? 0)
        paddedNames = names.map { $0.count >= width ? $0 : $0 + String(repeating: " ", count: width - $0.count) }
        metaJobName = TerminalSanitizer.sanitize(Array(snapshot.outline.metaJobName.utf8))
    }

    /// `HH:MM:SS`, formatted once per second.
    private func stamp(_ time: Double) -> String {
        let second = time.rounded(.down)
        if second != lastSecond {
            lastSecond = second
            lastStamp = TimeFormat.clock(time)
        }
        return lastStamp
    }

    public func receive(_ event: RunEvent) {
        guard attached else { return }
        let stamp = stamp(event.time)
        switch event.kind {
        case .runStarted:
            out.write("\(stamp) \(metaJobName): run \(runId) started — \(paddedNames.count) jobs, at most \(limit) at a time\n")
            for (j, run) in reused { out.write("\(stamp) \(paddedNames[j]) succeeded (reused from \(run))\n") }
        case .job(let u):
            // Written piece by piece into the writer's buffer: a 10,000-job run prints 40,000 of these lines, and
            // building each as a String (plus an array for its details) cost several allocations per line.
            out.write(stamp)
            out.write(" ")
            out.write(paddedNames[u.job])
            out.write(" ")
            out.write(u.state.rawValue)
            var opened = false
            if u.attempt > 0 {
                detail(&opened)
                out.write("attempt ")
                out.write(String(u.attempt))
            }
            if let code = u.exitCode, u.state != .succeeded {
                detail(&opened)
                out.write("exit code ")
                out.write(String(code))
            }
            if let id = u.executionId {
                detail(&opened)
                out.write("execution ")
                out.write(id)
            }
            if opened { out.write(")") }
            if let reason = u.reason, u.state != .succeeded {
                out.write(": ")
                out.write(TerminalSanitizer.sanitize(Array(reason.utf8)))
            }
            if u.state == .delayed, let readyAt = u.readyAt {
                out.write("; next try in ")
                out.write(TimeFormat.duration(max(0, wallClockOrigin + readyAt - event.time)))
            }
            out.write("\n")
        case let .log(job, _, stream, lines):
            guard showLogs else { return }
            let prefix = paddedNames[job] + (stream == .stderr ? " ! " : " | ")
            var text = ""
            for line in lines { text += prefix + TerminalSanitizer.sanitize(line) + "\n" }
            out.write(text)
        case let .controls(paused, limit):
            out.write("\(stamp) controls: \(paused ? "paused" : "running"), at most \(limit) at a time\n")
        case .runReopened:
            out.write("\(stamp) run reopened by a retry\n")
        case .runFinished(let outcome):
            out.write("\(stamp) \(metaJobName): \(outcome.rawValue)\n")
        }
    }

    public func flush() { out.flushSoon() }

    /// Opens the parenthesised details of a job line, or separates the next one.
    private func detail(_ opened: inout Bool) {
        out.write(opened ? ", " : " (")
        opened = true
    }
}
