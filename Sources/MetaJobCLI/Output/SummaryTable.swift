import MetaJobCore
import MetaJobScreen

/// The table printed when a run ends: job, final status, attempts, duration, exit code.
public enum SummaryTable {
    public static func render(_ snapshot: RunSnapshot, elapsed: Double) -> String {
        let names = snapshot.outline.jobs.map { TerminalSanitizer.sanitize(Array($0.name.utf8)) }
        var outcome = "running"
        if case .finished(let o) = snapshot.phase { outcome = o.rawValue }
        var counts: [String] = []
        for s in JobState.allCases where snapshot.count(of: s) > 0 { counts.append("\(snapshot.count(of: s)) \(s.rawValue)") }
        var text = "\n\(TerminalSanitizer.sanitize(Array(snapshot.outline.metaJobName.utf8))) \(outcome) in \(TimeFormat.duration(elapsed)) — run \(snapshot.outline.runId): \(counts.joined(separator: ", "))\n"
        let header = ["JOB", "STATUS", "ATTEMPTS", "DURATION", "EXIT"]
        var rows: [[String]] = []
        for (j, record) in snapshot.jobs.enumerated() {
            var status = record.state.rawValue
            if let run = record.reusedFrom { status += " (reused from \(run))" }
            let duration: String
            if let start = record.startedAt, let end = record.endedAt { duration = TimeFormat.duration(max(0, end - start)) } else { duration = "-" }
            rows.append([names[j], status, String(record.attempt), duration, record.exitCode.map { String($0) } ?? "-"])
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count) }
                .joined(separator: "  ")
        }
        text += line(header) + "\n"
        for row in rows { text += line(row) + "\n" }
        let failures = snapshot.jobs.enumerated().filter { $0.element.state.isFailure && $0.element.reason != nil }
        if !failures.isEmpty {
            text += "\nWhy:\n"
            for (j, record) in failures.prefix(20) {
                text += "  \(names[j]): \(TerminalSanitizer.sanitize(Array(record.reason!.utf8)))\n"
            }
            if failures.count > 20 { text += "  … and \(failures.count - 20) more\n" }
        }
        return text
    }
}
