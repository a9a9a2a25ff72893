import MetaJobCore

extension Dashboard {
    func renderBrowser(_ buffer: inout CellBuffer) {
        buffer.fill(x: 0, y: 0, width: width, height: 1, role: .header)
        var title = " metajob history  \(glyphs.vertical)  \(browser.rows.count) of \(browser.runs.count) runs, newest first"
        if !browser.filter.isEmpty { title += "  \(glyphs.vertical)  filter: " + browser.filter }
        buffer.put(title, x: 0, y: 0, role: .header)
        let columns: [(String, Int)] = [("META JOB", 22), ("STATE", 12), ("STARTED (UTC)", 17), ("DURATION", 9), ("FAILED", 7), ("RUN", 24)]
        var x = 1
        for (name, w) in columns { buffer.put(name, x: x, y: 1, role: .dim); x += w + 1 }
        let rows = height - 3
        guard !browser.rows.isEmpty else {
            let text = browser.runs.isEmpty ? (browser.requested || mode == .browser ? "no runs in the history yet (or still loading)" : "")
                                    : "no run matches \"\(browser.filter)\"; Esc clears the filter"
            buffer.put(text, x: 2, y: 3, role: .dim)
            return
        }
        let top = scrollOffset(position: browser.selected, size: 1, visible: rows, total: browser.rows.count)
        for r in top ..< min(browser.rows.count, top + rows) {
            let run = browser.runs[browser.rows[r]]
            let y = 2 + r - top
            let failed = ["user_error", "platform_error", "cancelled"].reduce(0) { $0 + (run.jobCounts[$1] ?? 0) }
            let duration = run.endedAt.map { TimeText.duration($0 - run.startedAt) }
                ?? (run.state == .running ? TimeText.duration(max(0, now - run.startedAt)) : "?")
            let cells = [ScreenText.label(run.metaJob), ScreenText.label(run.state.rawValue), TimeText.date(run.startedAt), duration,
                         failed == 0 ? "-" : "\(failed)", ScreenText.label(run.runId)]
            let stateRole: StyleRole
            switch run.state {
            case .succeeded: stateRole = .stateSucceeded
            case .failed: stateRole = .stateUserError
            case .running: stateRole = .stateRunning
            case .cancelled: stateRole = .stateCancelled
            case .interrupted: stateRole = .warning
            }
            var x = 1
            for (k, (_, w)) in columns.enumerated() {
                let role: StyleRole = k == 1 ? stateRole : (k == 4 && failed > 0 ? .stateUserError : .normal)
                buffer.put(cells[k], x: x, y: y, role: role, maxWidth: w)
                x += w + 1
            }
            if r == browser.selected { buffer.setRole(.selection, x: 0, y: y, width: 23) }
        }
    }

    // MARK: - Overlays

    func renderOverlay(_ buffer: inout CellBuffer, _ overlay: Overlay) {
        switch overlay {
        case .prompt:
            return  // Drawn in the footer.
        case .help:
            let lines = helpLines
            let w = min(width - 4, 66), h = min(height - 2, lines.count + 2)
            let rect = Rect(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
            buffer.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height)
            drawBox(&buffer, rect, title: "Keys  (any key closes)", focused: true)
            for (k, line) in lines.prefix(h - 2).enumerated() {
                buffer.put(line.0, x: rect.x + 2, y: rect.y + 1 + k, role: .key, maxWidth: 12)
                buffer.put(line.1, x: rect.x + 15, y: rect.y + 1 + k, role: .normal, maxWidth: w - 17)
            }
        case .confirmCancel(let job):
            let name = shownRun.map { $0.jobs.indices.contains(job) ? $0.jobs[job].name : "" } ?? ""
            confirm(&buffer, title: "Cancel job?", lines: ["Cancel \(name)?", "", "y  cancel it", "n  keep it running"])
        case let .confirmRetry(command, preview):
            renderRetryPreview(&buffer, command, preview)
        case .confirmQuit:
            let running = live.map { $0.slotsUsed } ?? 0
            confirm(&buffer, title: "Quit?", lines: ["The run is still going (\(running) job\(running == 1 ? "" : "s") running).", ""]
                        + (offersDetach ? ["d  detach: the run goes on in the background"] : [])
                        + ["s  stop the jobs, then quit", "l  let the running jobs finish, start no more, quit",
                           "Esc  stay"])
        }
    }

    private func confirm(_ buffer: inout CellBuffer, title: String, lines: [String]) {
        let w = min(width - 4, max(40, (lines.map(\.count).max() ?? 0) + 6)), h = lines.count + 2
        let rect = Rect(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
        buffer.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        drawBox(&buffer, rect, title: title, focused: true)
        for (k, line) in lines.enumerated() {
            buffer.put(line, x: rect.x + 2, y: rect.y + 1 + k, role: k == 0 ? .warning : .normal, maxWidth: w - 4)
        }
    }

    var helpLines: [(String, String)] {
        [("arrows hjk", "move (l is the list, so right is only the arrow)"),
         ("Enter", "focus the logs"), ("Tab", "next pane"),
         ("r", "retry the selected failed/cancelled/not_run job"), ("R", "retry every failed job (previews; Enter)"),
         ("d", "rerun the selected job and all downstream"), ("c", "cancel the selected job (asks)"),
         ("p", "pause / resume starting jobs"), ("+ -", "raise / lower the concurrency limit"),
         ("l", "list of jobs by level (/ filters)"), ("t", "timeline (Gantt)"),
         ("f", "logs: follow the tail"), ("/ n N", "logs: search, next, previous"),
         ("w", "logs: wrap long lines"), ("a", "logs: earlier attempts"),
         ("s y", "logs: save to a file; copy a line (OSC 52)"), ("C", "past run: what changed (again: changed only)"),
         ("H", "history browser (Enter opens, r resumes)"), ("T", "next theme"),
         ("Esc", "close, back"), ("q", "quit; while jobs run: detach, stop or drain"), ("?", "this help")]
    }
}
