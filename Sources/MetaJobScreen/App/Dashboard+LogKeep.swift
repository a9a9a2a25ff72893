import MetaJobCore

extension Dashboard {
    // MARK: - Keeping what the logs say (s, y)

    /// `s`: asks where to save the selected attempt's log, suggesting a name; Enter writes it (`.saveLog`).
    mutating func saveLogKey() -> [DashboardEffect] {
        guard let run = shownRun, run.jobs.indices.contains(selectedJob) else { return [] }
        let attempt = logPane.viewedAttempt ?? run.jobs[selectedJob].attempt
        guard attempt >= 1 else {
            status = StatusMessage(text: "s: \(run.jobs[selectedJob].name) has not started: no log to save", role: .warning)
            return []
        }
        overlay = .prompt(.saveLog(job: selectedJob, attempt: attempt),
                          text: Self.suggestedLogName(metaJob: run.metaJobName, runId: run.runId,
                                                      job: run.graph.names[selectedJob], attempt: attempt))
        return []
    }

    /// `<meta job>-<run id>-<job>-attempt<N>.log`, with every character that is not a letter, digit, `.`, `_`
    /// or `-` as `_` (no directory, nothing hidden, nothing the shell or the screen would read differently).
    static func suggestedLogName(metaJob: String, runId: String, job: String, attempt: Int) -> String {
        func clean(_ text: String) -> String {
            var out = String(text.unicodeScalars.prefix(60).map { s -> Character in
                s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "." || s == "_" || s == "-") ? Character(s) : "_"
            })
            while out.hasPrefix(".") { out = "_" + out.dropFirst() }
            return out.isEmpty ? "_" : out
        }
        return "\(clean(metaJob))-\(clean(runId))-\(clean(job))-attempt\(attempt).log"
    }

    /// The save prompt was confirmed with `path`.
    mutating func saveLog(job: Int, attempt: Int, path: String) -> [DashboardEffect] {
        guard let run = shownRun, run.graph.names.indices.contains(job) else { return [] }
        let path = String(Substring(path).trimmingSpaces)
        guard !path.isEmpty else {
            status = StatusMessage(text: "not saved: no file name", role: .warning)
            return []
        }
        status = StatusMessage(text: "saving to \(path)...", role: .dim)
        return [.saveLog(runId: run.runId, job: run.graph.names[job], attempt: attempt, path: path)]
    }

    /// The session wrote the log.
    mutating func logSaved(path: String, bytes: Int) {
        status = StatusMessage(text: "saved \(bytes) bytes to \(ScreenText.label(path))", role: .dim)
    }

    /// The line `y` copies: the current search hit, else the newest line while following, else the top line shown.
    var copyLine: Int? {
        guard let log = shownLog, log.count > 0 else { return nil }
        if let hit = logPane.searchLine, hit < log.count { return hit }
        return logPane.follow ? log.count - 1 : min(max(0, logPane.top), log.count - 1)
    }

    /// `y`: the selected log line (or search hit) to the terminal's clipboard, as the screen shows it (escape
    /// sequences already dropped, controls escaped), never the job's raw bytes.
    mutating func copyKey() -> [DashboardEffect] {
        guard let i = copyLine, let log = shownLog else {
            status = StatusMessage(text: "y: no log line to copy", role: .warning)
            return []
        }
        let text = log[i].text
        status = StatusMessage(text: "copied line \(i + 1) (\(text.count) characters) to the clipboard (OSC 52)", role: .dim)
        return [.copyToClipboard(text)]
    }
}
