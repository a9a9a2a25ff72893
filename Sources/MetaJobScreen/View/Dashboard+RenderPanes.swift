import MetaJobCore

extension Dashboard {
    // MARK: - Details

    func renderDetails(_ buffer: inout CellBuffer, _ run: RunView, in rect: Rect) {
        guard run.jobs.indices.contains(selectedJob) else { return }
        let job = run.jobs[selectedJob]
        drawBox(&buffer, rect, title: "Details: " + job.name, focused: focus == .details)
        let area = rect.inner
        var lines: [(String, String, StyleRole)] = []
        lines.append(("Status", "\(glyphs.glyph(job.state)) \(job.state.rawValue)", .of(job.state)))
        lines.append(("Attempt", job.attempt == 0 ? "not started (up to \(job.maxAttempts))" : "\(job.attempt) of \(job.maxAttempts)", .normal))
        lines += attemptLines(job)
        if let code = job.exitCode { lines.append(("Exit code", "\(code)", job.state == .succeeded ? .normal : .stateUserError)) }
        if let start = job.startedAt {
            var times = TimeText.clock(start) + (glyphs.isASCII ? " - " : " → ")
            times += job.endedAt.map(TimeText.clock) ?? "now"
            if let d = duration(job) { times += " (" + TimeText.duration(d) + ")" }
            lines.append(("Time UTC", times, .normal))
        }
        if let expected = expectedLine(selectedJob, job) { lines.append(("Expected", expected.0, expected.1)) }
        if job.state == .delayed {
            var wait = job.delayReason ?? "waiting"
            if let ready = job.readyAt { wait += "; next try in " + TimeText.duration(max(0, ready - now)) }
            lines.append(("Waits", wait, .stateDelayed))
        } else if job.state == .queued {
            lines.append(("Waits", "for a free slot (\(run.slotsUsed)/\(run.limit) used)" + (run.paused ? ", paused" : ""), .stateQueued))
        } else if job.state == .pending {
            let waiting = run.graph.dependencies[selectedJob].filter { !run.jobs[$0].state.isFinal }.count
            lines.append(("Waits", "for \(waiting) upstream job\(waiting == 1 ? "" : "s")", .statePending))
        }
        if let reason = job.reason { lines.append(("Reason", reason, job.state.isFailure ? .error : .normal)) }
        lines.append(("Started by", run.startedBy, .normal))
        if let id = job.executionId { lines.append(("Execution", id, .normal)) }
        if let team = job.team { lines.append(("Team", team, .normal)) }
        if let reused = job.reusedFrom { lines.append(("Reused", "succeeded in run " + reused, .dim)) }
        let needs = run.graph.dependencies[selectedJob], feeds = run.graph.dependents[selectedJob]
        func names(_ jobs: [Int]) -> String {
            jobs.isEmpty ? "-" : jobs.prefix(8).map { run.jobs[$0].name }.joined(separator: ", ") + (jobs.count > 8 ? " +\(jobs.count - 8)" : "")
        }
        lines.append(("Needs", names(needs), .upstream))
        lines.append(("Feeds", names(feeds), .downstream))
        for (k, line) in lines.prefix(area.height).enumerated() {
            let y = area.y + k
            buffer.put(line.0, x: area.x + 1, y: y, role: .dim)
            buffer.put(line.1, x: area.x + 12, y: y, role: line.2, maxWidth: area.width - 13)
        }
    }

    // MARK: - Logs

    func renderLogs(_ buffer: inout CellBuffer, _ run: RunView, in rect: Rect) {
        guard run.jobs.indices.contains(selectedJob) else { return }
        let job = run.jobs[selectedJob]
        let attempt = logPane.viewedAttempt ?? job.attempt
        var title = "Log: " + job.name
        if attempt > 0 { title += "  attempt \(attempt)/\(job.attempt)" }
        title += logPane.follow ? "  [follow]" : ""
        title += logPane.wrap ? "  [wrap]" : ""
        if !logPane.searchQuery.isEmpty { title += "  /" + logPane.searchQuery }
        drawBox(&buffer, rect, title: title, focused: focus == .logs)
        let area = rect.inner
        guard area.height > 0, area.width > 1 else { return }
        guard let log = shownLog, log.count > 0 else {
            let text: String
            if attempt == 0 { text = "no output: the job has not started" }
            else if run.isPast && !requestedLogs.contains(LogKey(job: selectedJob, attempt: attempt)) { text = "loading..." }
            else { text = "no output yet" }
            buffer.put(text, x: area.x + 1, y: area.y, role: .dim, maxWidth: area.width - 1)
            return
        }
        var rows: [(line: Int, offset: Int)] = []  // Visible rows: which line, from which character.
        let width = area.width - 1
        func pieces(_ i: Int) -> Int { logPane.wrap ? max(1, (log[i].text.count + width - 1) / width) : 1 }
        if logPane.follow && logPane.searchLine == nil {
            var i = log.count - 1
            while i >= 0 && rows.count < area.height {
                let n = pieces(i)
                for p in stride(from: n - 1, through: 0, by: -1) where rows.count < area.height { rows.insert((i, p * width), at: 0) }
                i -= 1
            }
        } else {
            var i = min(logPane.top, max(0, log.count - 1))
            while i < log.count && rows.count < area.height {
                for p in 0..<pieces(i) where rows.count < area.height { rows.append((i, p * width)) }
                i += 1
            }
        }
        var y = area.y
        if log.dropped > 0, rows.first?.line == 0, rows.first?.offset == 0 {
            buffer.put("\(glyphs.ellipsis) \(log.dropped) earlier lines in the history (`metajob history logs`)",
                       x: area.x + 1, y: y, role: .dim, maxWidth: width)
            y += 1
        }
        let caseless = logPane.searchQuery.lowercased() == logPane.searchQuery
        for row in rows where y < area.y + area.height {
            let line = log[row.line]
            let characters = Array(line.text)
            let slice = row.offset < characters.count ? characters[row.offset ..< min(characters.count, row.offset + width)] : []
            buffer.put(String(slice), x: area.x + 1, y: y, role: line.stderr ? .logStderr : .normal, maxWidth: width)
            if !logPane.searchQuery.isEmpty {
                let hay = caseless ? Array(String(slice).lowercased()) : Array(slice)
                let needle = Array(logPane.searchQuery)
                let role: StyleRole = row.line == logPane.searchLine ? .searchCurrent : .searchHit
                if hay.count == slice.count, needle.count <= hay.count {
                    var k = 0
                    while k + needle.count <= hay.count {
                        if hay[k ..< k + needle.count].elementsEqual(needle) {
                            buffer.setRole(role, x: area.x + 1 + k, y: y, width: needle.count)
                            k += needle.count
                        } else { k += 1 }
                    }
                }
            }
            y += 1
        }
    }
}
