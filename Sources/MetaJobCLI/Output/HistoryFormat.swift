import Foundation
import MetaJobCore
import MetaJobHistory

/// Shared formatting for the history commands.
enum HistoryFormat {
    /// Runs a history query, turning its errors into a clear message and exit 2.
    static func attempt<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HistoryError {
            CLIOutput.error("\(error)")
            throw CLIExit.invalid
        } catch {
            CLIOutput.error("reading the run history failed: \(error)")
            throw CLIExit.invalid
        }
    }

    /// `2026-11-24 15:30:12` in local time.
    static func localTime(_ wall: Double) -> String {
        let iso = TimeFormat.iso8601(wall)
        return String(iso.prefix(10)) + " " + TimeFormat.clock(wall)
    }

    /// `5 succeeded, 1 user_error` in the order of `JobState.allCases`.
    static func counts(_ counts: [String: Int]) -> String {
        let order = JobState.allCases.map(\.rawValue)
        let known = order.compactMap { state in counts[state].flatMap { $0 > 0 ? "\($0) \(state)" : nil } }
        let other = counts.keys.filter { !order.contains($0) }.sorted().map { "\(counts[$0]!) \($0)" }
        let all = known + other
        return all.isEmpty ? "-" : all.joined(separator: ", ")
    }

    /// Columns padded to their widest cell; the last column is not padded.
    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var text = ""
        for row in rows {
            text += row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ") + "\n"
        }
        return text
    }

    static func json(_ run: RunSummary) -> String {
        var o = JSONObjectWriter()
        o.string("run_id", run.runId); o.string("meta_job", run.metaJob); o.string("state", run.state.rawValue)
        o.string("started", TimeFormat.iso8601(run.startedAt))
        if let ended = run.endedAt { o.string("ended", TimeFormat.iso8601(ended)); o.double("duration_seconds", max(0, ended - run.startedAt)) }
        var counts = JSONObjectWriter()
        for key in run.jobCounts.keys.sorted() { counts.int(key, run.jobCounts[key]!) }
        o.raw("jobs", counts.finish())
        if let from = run.resumedFrom { o.string("resumed_from", from) }
        if let by = run.resumedBy { o.string("resumed_by", by) }
        if let socket = run.controlSocket, run.state == .running || FileManager.default.fileExists(atPath: socket) { o.string("control_socket", socket) }
        return o.finish()
    }

    static func json(_ detail: RunDetail) -> String {
        var o = JSONObjectWriter()
        o.raw("run", json(detail.summary))
        o.string("started_by", detail.startedBy); o.string("host", detail.host); o.int("pid", Int(detail.pid))
        o.string("working_directory", detail.workingDirectory)
        o.raw("command_line", JSONValue.array(detail.commandLine.map { .string($0) }).jsonText)
        if let path = detail.definitionPath { o.string("definition_path", path) }
        var jobs: [String] = []
        for job in detail.jobs {
            var j = JSONObjectWriter()
            j.string("job", job.name); j.string("state", job.state); j.int("attempts", job.attempts)
            if let team = job.team { j.string("team", team) }
            if let code = job.exitCode { j.int("exit_code", Int(code)) }
            if let reason = job.reason { j.string("reason", reason) }
            if let id = job.executionId { j.string("execution_id", id) }
            if let start = job.startedAt { j.string("started", TimeFormat.iso8601(start)) }
            if let end = job.endedAt { j.string("ended", TimeFormat.iso8601(end)) }
            if let from = job.reusedFrom { j.string("reused_from", from) }
            j.raw("depends_on", JSONValue.array(job.dependsOn.map { .string($0) }).jsonText)
            jobs.append(j.finish())
        }
        o.raw("jobs", "[" + jobs.joined(separator: ",") + "]")
        if !detail.recordingGaps.isEmpty {
            o.raw("not_recorded", JSONValue.array(detail.recordingGaps.map { .string($0) }).jsonText)
        }
        return o.finish()
    }
}
