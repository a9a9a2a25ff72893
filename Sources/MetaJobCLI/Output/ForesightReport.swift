import MetaJobCore

/// Words and JSON for what the history foresees, for `metajob resume --dry-run` and `metajob validate`: the
/// jobs a resume runs and reuses, the expected duration, the critical path.
enum ForesightReport {
    /// `4m05s`, `≥ 4m05s` or `no estimate`, as the precision allows (never a precise number for unknown jobs).
    static func duration(_ schedule: ForesightSchedule) -> String {
        switch schedule.precision {
        case .expected: return TimeFormat.duration(schedule.remaining)
        case .atLeast: return "≥ " + TimeFormat.duration(schedule.remaining)
        case .none: return "no estimate"
        }
    }

    /// The plain lines about a whole schedule: expected duration (with why it is only a lower bound) and the
    /// critical path; `known` jobs have an estimate out of `total`.
    static func scheduleLines(_ schedule: ForesightSchedule, names: [String], label: String) -> [String] {
        var lines: [String] = []
        var line = label + ": " + duration(schedule)
        if schedule.jobsWithoutEstimate > 0 {
            let n = schedule.jobsWithoutEstimate
            line += " (\(n) job\(n == 1 ? "" : "s") without a past success in the history)"
        }
        lines.append(line)
        if schedule.precision != .none, !schedule.criticalPath.isEmpty {
            lines.append("critical path: " + schedule.criticalPath.map { names[$0] }.joined(separator: " → "))
        }
        return lines
    }

    /// The JSON fields of a schedule: `expected_seconds` (null without any estimate), `precision`
    /// (expected, at_least, none), `jobs_without_estimate`, `critical_path`.
    static func scheduleFields(_ schedule: ForesightSchedule, names: [String], into o: inout JSONObjectWriter) {
        if schedule.precision == .none { o.null("expected_seconds") } else { o.double("expected_seconds", schedule.remaining) }
        o.string("precision", schedule.precision == .atLeast ? "at_least" : schedule.precision.rawValue)
        o.int("jobs_without_estimate", schedule.jobsWithoutEstimate)
        o.raw("critical_path", list(schedule.precision == .none ? [] : schedule.criticalPath.map { names[$0] }))
    }

    /// What `metajob resume RUN --dry-run` prints: the jobs that would run, the reused ones, the expected time.
    static func resumePlain(_ preview: RetryPreview, runId: String, names: [String]) -> String {
        func named(_ jobs: [Int]) -> String { jobs.isEmpty ? "none" : jobs.map { names[$0] }.joined(separator: ", ") }
        var lines = ["Resuming \(runId) would (nothing is started: --dry-run):",
                     "  run again (\(preview.rerun.count)): " + named(preview.rerun),
                     "  reuse (\(preview.reused.count)): " + named(preview.reused)]
        if !preview.unchanged.isEmpty {
            lines.append("  leave as they are (\(preview.unchanged.count)): " + named(preview.unchanged))
        }
        lines += scheduleLines(preview.schedule, names: names, label: "expected time").map { "  " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same as one JSON object.
    static func resumeJSON(_ preview: RetryPreview, runId: String, names: [String]) -> String {
        var o = JSONObjectWriter()
        o.bool("dry_run", true)
        o.string("resumes", runId)
        o.raw("rerun", list(preview.rerun.map { names[$0] }))
        o.raw("reused", list(preview.reused.map { names[$0] }))
        o.raw("unchanged", list(preview.unchanged.map { names[$0] }))
        scheduleFields(preview.schedule, names: names, into: &o)
        return o.finish() + "\n"
    }

    /// A JSON array of strings.
    static func list(_ items: [String]) -> String {
        var text = "["
        for (k, item) in items.enumerated() {
            if k > 0 { text += "," }
            JSONValue.writeString(item, into: &text)
        }
        return text + "]"
    }
}
