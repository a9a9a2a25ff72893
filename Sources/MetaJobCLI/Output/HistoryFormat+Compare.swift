import MetaJobCore

extension HistoryFormat {
    /// `history show RUN --compare`: one row per job, the earlier run's state and duration beside this one's.
    static func text(_ c: RunComparison) -> String {
        let changed = c.changed.count
        var text = "compared with run \(c.previousRunId): \(changed) of \(c.jobs.count) job\(c.jobs.count == 1 ? "" : "s") changed"
        text += " (durations beyond ±\(Int(RunComparison.noiseRatio * 100)) % and ±\(Int(RunComparison.noiseSeconds)) s)\n"
        var rows = [["JOB", "BEFORE", "NOW", "CHANGE"]]
        func side(_ state: String?, _ seconds: Double?) -> String {
            guard let state else { return "-" }
            return state + (seconds.map { " " + TimeFormat.duration($0) } ?? "")
        }
        for job in c.jobs {
            rows.append([job.name, side(job.stateBefore, job.durationBefore), side(job.stateNow, job.durationNow),
                         job.changeWords(duration: TimeFormat.duration)])
        }
        return text + table(rows)
    }

    /// The same as one JSON object: `run_id`, `compared_with`, `changed` (count) and `jobs`.
    static func json(_ c: RunComparison) -> String {
        var o = JSONObjectWriter()
        o.string("run_id", c.runId)
        o.string("compared_with", c.previousRunId)
        o.double("noise_ratio", RunComparison.noiseRatio)
        o.double("noise_seconds", RunComparison.noiseSeconds)
        o.int("changed", c.changed.count)
        let jobs = c.jobs.map { job -> String in
            var j = JSONObjectWriter()
            j.string("job", job.name)
            j.string("presence", job.presence.rawValue)
            j.bool("changed", job.changed)
            j.bool("status_changed", job.statusChanged)
            if let s = job.stateBefore { j.string("state_before", s) } else { j.null("state_before") }
            if let s = job.stateNow { j.string("state_now", s) } else { j.null("state_now") }
            if let d = job.durationBefore { j.double("duration_before_seconds", d) } else { j.null("duration_before_seconds") }
            if let d = job.durationNow { j.double("duration_now_seconds", d) } else { j.null("duration_now_seconds") }
            j.int("attempts_before", job.attemptsBefore)
            j.int("attempts_now", job.attemptsNow)
            if let change = job.durationChange { j.string("duration_change", change.rawValue) } else { j.null("duration_change") }
            return j.finish()
        }
        o.raw("jobs", "[" + jobs.joined(separator: ",") + "]")
        return o.finish()
    }
}
