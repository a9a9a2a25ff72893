import MetaJobCore

/// Prints a run as NDJSON: one object per event, each with `event` and `time` (ISO-8601 UTC, milliseconds).
public final class JSONPrinter: RunObserver, @unchecked Sendable {
    private let out: OutputWriter
    private let showLogs: Bool
    /// What the snapshot said that later events need; not the snapshot itself, whose jobs and outline would
    /// stay in memory for the whole run (megabytes on DAG10K).
    private var info: (runId: String, metaJobName: String, startedBy: String)?
    /// Jobs whose success was reused from an earlier run (resume): index, state, that run.
    private var reused: [(job: Int, state: JobState, run: String)] = []
    private var names: [String] = []
    private var wallClockOrigin = 0.0
    private var finalStates: [JobState] = []

    public init(out: OutputWriter, showLogs: Bool) {
        self.out = out
        self.showLogs = showLogs
    }

    public func attach(_ snapshot: RunSnapshot) {
        info = (snapshot.outline.runId, snapshot.outline.metaJobName, snapshot.outline.startedBy)
        reused = snapshot.jobs.indices.compactMap { j in
            snapshot.jobs[j].reusedFrom.map { (j, snapshot.jobs[j].state, $0) }
        }
        names = snapshot.outline.jobs.map(\.name)
        wallClockOrigin = snapshot.wallClockOrigin
        finalStates = snapshot.jobs.map(\.state)
    }

    public func receive(_ event: RunEvent) {
        guard let info else { return }
        var o = JSONObjectWriter()
        var reusedLines = ""
        switch event.kind {
        case .runStarted:
            o.string("event", "run_started"); o.string("time", TimeFormat.iso8601(event.time))
            o.string("run_id", info.runId); o.string("meta_job", info.metaJobName)
            o.int("jobs", names.count)
            o.string("started_by", info.startedBy)
            for (j, state, run) in reused {
                var r = JSONObjectWriter()
                r.string("event", "job"); r.string("time", TimeFormat.iso8601(event.time))
                r.string("job", names[j]); r.string("state", state.rawValue); r.int("attempt", 0)
                r.string("reused_from", run)
                reusedLines += r.finish() + "\n"
            }
        case .job(let u):
            finalStates[u.job] = u.state
            o.string("event", "job"); o.string("time", TimeFormat.iso8601(event.time))
            o.string("job", names[u.job]); o.string("state", u.state.rawValue); o.int("attempt", u.attempt)
            if let code = u.exitCode, u.state.isFinal || u.state == .delayed || u.state.isFailure { o.int("exit_code", Int(code)) }
            if let reason = u.reason { o.string("reason", reason) }
            if let id = u.executionId { o.string("execution_id", id) }
            if let delay = u.delayReason { o.string("delay_reason", delay.code) }
            if let readyAt = u.readyAt { o.string("ready_at", TimeFormat.iso8601(wallClockOrigin + readyAt)) }
        case let .log(job, attempt, stream, lines):
            guard showLogs else { return }
            // One object per line, as before batching: consumers read lines, not batches.
            let time = TimeFormat.iso8601(event.time)
            var text = ""
            for line in lines {
                var o = JSONObjectWriter()
                o.string("event", "log"); o.string("time", time)
                o.string("job", names[job]); o.int("attempt", attempt); o.string("stream", stream.rawValue)
                if let valid = String(validating: line, as: UTF8.self) {
                    o.string("line", valid)
                } else {
                    // JSON text must be UTF-8: show the line lossily and keep the exact bytes beside it.
                    o.string("line", String(decoding: line, as: UTF8.self))
                    o.base64("line_base64", Array(line))
                }
                text += o.finish() + "\n"
            }
            out.write(text)
            return
        case let .controls(paused, limit):
            o.string("event", "controls"); o.string("time", TimeFormat.iso8601(event.time))
            o.bool("paused", paused); o.int("limit", limit)
        case .runReopened:
            o.string("event", "run_reopened"); o.string("time", TimeFormat.iso8601(event.time))
            o.string("run_id", info.runId)
        case .runFinished(let outcome):
            o.string("event", "run_finished"); o.string("time", TimeFormat.iso8601(event.time))
            o.string("run_id", info.runId); o.string("state", outcome.rawValue)
            var jobs = JSONObjectWriter()
            for (j, name) in names.enumerated() { jobs.string(name, finalStates[j].rawValue) }
            o.raw("jobs", jobs.finish())
        }
        out.write(o.finish() + "\n" + reusedLines)
    }

    public func flush() { out.flushSoon() }
}
