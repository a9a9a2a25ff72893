#if canImport(Glibc)
import Glibc
#endif
import MetaJobCore

/// What a recorder could not write and when writing failed: the source of its warning and of the run's
/// `recording_gaps`. States and the outcome are never dropped (they wait and are retried); output bytes and,
/// past a bound, the event rows of old state changes may be.
struct RecordingLosses {
    /// Output lines of one job attempt and stream that were dropped, from the first to the last.
    struct Output {
        var from: Double
        var to: Double
        var lines = 0
        var bytes = 0
    }

    /// Dropped output, per job attempt and stream, in the order first dropped.
    private(set) var output: [Batch.ChunkKey: Output] = [:]
    private var outputOrder: [Batch.ChunkKey] = []
    /// State-change rows dropped past the pending bound (each job's own row still got its latest state).
    private(set) var events = 0
    private var eventsFrom = Double.infinity
    private var eventsTo = -Double.infinity
    /// The end of the run could not be written: the history reads it as interrupted.
    var finalStateLost: StoredRunState?
    /// When writing began to fail in the current outage (nil while writing works), and why.
    private(set) var failingSince: Double?
    private(set) var lastReason = ""
    /// Outages that ended: writing failed from `from` to `to`.
    private(set) var outages: [(from: Double, to: Double, reason: String)] = []

    /// True when nothing was lost (writing may have been late).
    var isEmpty: Bool { output.isEmpty && events == 0 && finalStateLost == nil }

    mutating func dropped(_ chunk: LogChunk) {
        let key = Batch.ChunkKey(job: chunk.job, attempt: chunk.attempt, stream: chunk.stream)
        if output[key] == nil {
            output[key] = Output(from: chunk.firstTime, to: chunk.lastTime)
            outputOrder.append(key)
        }
        output[key]!.from = min(output[key]!.from, chunk.firstTime)
        output[key]!.to = max(output[key]!.to, chunk.lastTime)
        output[key]!.lines += chunk.lineCount
        output[key]!.bytes += chunk.lineBytes
    }

    mutating func dropped(_ rows: ArraySlice<EventRow>) {
        events += rows.count
        for row in rows {
            eventsFrom = min(eventsFrom, row.time)
            eventsTo = max(eventsTo, row.time)
        }
    }

    mutating func failed(at time: Double, _ error: Error) {
        if failingSince == nil { failingSince = time }
        lastReason = RecordingLosses.reason(error)
    }

    mutating func wrote(at time: Double) {
        guard let since = failingSince else { return }
        outages.append((since, time, lastReason))
        failingSince = nil
    }

    /// One sentence per loss, naming jobs by `names`.
    func lines(names: [String]) -> [String] {
        var text: [String] = []
        for key in outputOrder {
            guard let lost = output[key] else { continue }
            let name = key.job < names.count ? names[key.job] : "#\(key.job)"
            text.append("output of job \(name) (attempt \(key.attempt), \(key.stream == 2 ? "stderr" : "stdout")) between "
                + "\(RecordingLosses.clock(lost.from)) and \(RecordingLosses.clock(lost.to)) was not recorded "
                + "(\(lost.lines) line\(lost.lines == 1 ? "" : "s"), \(lost.bytes) bytes)")
        }
        if events > 0 {
            text.append("\(events) intermediate state change\(events == 1 ? "" : "s") between \(RecordingLosses.clock(eventsFrom)) "
                + "and \(RecordingLosses.clock(eventsTo)) were not recorded (each job's latest state and exit code were)")
        }
        if let state = finalStateLost {
            text.append("the run's end (\(state.rawValue)) could not be written: the history reads the run as interrupted")
        }
        return text
    }

    /// What the warning says: the outages, then the losses.
    func report(names: [String]) -> String {
        var parts: [String] = []
        let all = outages + (failingSince.map { [($0, Double.nan, lastReason)] } ?? [])
        for outage in all {
            let end = outage.1.isNaN ? "the end" : RecordingLosses.clock(outage.1)
            parts.append("writing failed from \(RecordingLosses.clock(outage.0)) to \(end) (\(outage.2))")
        }
        let lost = lines(names: names)
        if lost.isEmpty {
            parts.append("every state, exit code and the outcome were recorded once writing worked again")
        } else {
            parts.append(contentsOf: lost)
            if finalStateLost == nil { parts.append("every state, exit code and the outcome were recorded") }
        }
        return parts.joined(separator: "; ")
    }

    /// `12:04:05.123 UTC`: precise enough to find the lines around a gap.
    static func clock(_ wall: Double) -> String {
        guard wall.isFinite else { return "?" }
        var seconds = time_t(wall.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int((wall - wall.rounded(.down)) * 1000)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms) UTC"
    }

    /// The error in a few words (SQLite's message without GRDB's decoration).
    static func reason(_ error: Error) -> String {
        if let error = error as? HistoryError, case let .cannotWriteLog(path, reason) = error { return "\(path): \(reason)" }
        return "\(error)"
    }
}
