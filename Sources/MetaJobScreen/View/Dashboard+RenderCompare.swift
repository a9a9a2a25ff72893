import MetaJobCore

extension Dashboard {
    // MARK: - What changed (C)

    /// The past run's jobs beside the run before it: state and duration then and now, and what changed, in words
    /// (a change is never told by colour alone).
    func renderChanges(_ buffer: inout CellBuffer, _ run: RunView, in rect: Rect) {
        let pane = comparisonPane
        let previous = pane.comparison.map { ScreenText.label($0.previousRunId) } ?? "-"
        let which = pane.changedOnly ? "changed only, C all" : "C changed only"
        drawBox(&buffer, rect, title: "Changes since run \(previous): \(pane.changedCount) of \(run.graph.count) jobs  (\(which))",
                focused: focus == .graph)
        let area = rect.inner
        guard area.height > 1, area.width > 20 else { return }
        // Columns as wide as their content (within limits), so the CHANGE words, which say it all, get the rest.
        let names = pane.jobs.map { run.jobs[$0].name.count } + pane.removed.map { ScreenText.label($0.name).count }
        let nameWidth = max(8, min(24, (area.width - 4) / 4, names.max() ?? 0))
        func side(_ state: String?, _ seconds: Double?) -> String {
            guard let state else { return "-" }
            // The state as its glyph (a shape, not a colour); the words for it are in CHANGE when it changed.
            let glyph = JobState(rawValue: state).map { String(glyphs.glyph($0)) } ?? "?"
            return glyph + " " + (seconds.map(TimeText.preciseDuration) ?? ScreenText.label(state))
        }
        let sides = pane.rowOf.compactMap { $0 }.flatMap { [side($0.stateBefore, $0.durationBefore), side($0.stateNow, $0.durationNow)] }
            + pane.removed.map { side($0.stateBefore, $0.durationBefore) }
        let sideWidth = max(8, min(16, (area.width - nameWidth - 4) / 3, sides.map(\.count).max() ?? 0))
        let beforeX = area.x + 3 + nameWidth + 1, nowX = beforeX + sideWidth + 1, changeX = nowX + sideWidth + 1
        let rightEdge = area.x + area.width
        buffer.put("JOB", x: area.x + 3, y: area.y, role: .dim)
        buffer.put("BEFORE", x: beforeX, y: area.y, role: .dim)
        buffer.put("NOW", x: nowX, y: area.y, role: .dim)
        buffer.put("CHANGE", x: changeX, y: area.y, role: .dim, maxWidth: max(0, rightEdge - changeX))
        let rows = area.height - 1
        var lines: [(job: Int?, row: JobComparison?)] = pane.jobs.map { ($0, pane.rowOf.indices.contains($0) ? pane.rowOf[$0] : nil) }
        lines += pane.removed.map { (nil, $0) }
        if lines.isEmpty {
            buffer.put(pane.changedOnly ? "no job changed; C lists them all" : "no jobs", x: area.x + 1, y: area.y + 1,
                       role: .dim, maxWidth: area.width - 1)
            return
        }
        let selectedRow = pane.jobs.firstIndex(of: selectedJob) ?? 0
        let top = scrollOffset(position: selectedRow, size: 1, visible: rows, total: lines.count)
        for r in top ..< min(lines.count, top + rows) {
            let y = area.y + 1 + r - top
            let line = lines[r]
            let changed = line.row?.changed ?? false
            let said = line.row?.changeWords(duration: TimeText.preciseDuration) ?? ""
            let words = glyphs.isASCII ? said.replacingArrows() : said
            let failedNow = line.row?.stateNow.flatMap(JobState.init(rawValue:))?.isFailure == true
            let changeRole: StyleRole = line.row?.durationChange == .slower || (line.row?.statusChanged == true && failedNow)
                ? .error : (changed ? .warning : .dim)
            if let j = line.job {
                let job = run.jobs[j]
                buffer.put(String(glyphs.glyph(job.state)), x: area.x + 1, y: y, role: .of(job.state))
                buffer.put(glyphs.fitted(job.name, width: nameWidth), x: area.x + 3, y: y, role: nameRole(j), maxWidth: nameWidth)
                if j == selectedJob { buffer.setRole(.selection, x: area.x + 3, y: y, width: nameWidth) }
            } else if let row = line.row {
                buffer.put("-", x: area.x + 1, y: y, role: .dim)
                buffer.put(glyphs.fitted(ScreenText.label(row.name), width: nameWidth), x: area.x + 3, y: y, role: .dim, maxWidth: nameWidth)
            }
            guard let row = line.row else {
                buffer.put("new: not in the earlier run", x: beforeX, y: y, role: .warning, maxWidth: max(0, rightEdge - beforeX))
                continue
            }
            buffer.put(glyphs.fitted(side(row.stateBefore, row.durationBefore), width: sideWidth), x: beforeX, y: y, role: .dim, maxWidth: sideWidth)
            buffer.put(glyphs.fitted(side(row.stateNow, row.durationNow), width: sideWidth), x: nowX, y: y,
                       role: changed ? .normal : .dim, maxWidth: sideWidth)
            let mark = changed ? (glyphs.isASCII ? "! " : "▲ ") : "= "
            buffer.put(mark + (words.isEmpty ? "same" : words), x: changeX, y: y, role: changeRole, maxWidth: max(0, rightEdge - changeX))
        }
    }

    // MARK: - Attempts side by side

    /// One details line per attempt of a job that had several: `#2  1.50s  exit 3  user_error  reason`.
    func attemptLines(_ job: JobView) -> [(String, String, StyleRole)] {
        guard job.attempts.count > 1 else { return [] }
        return job.attempts.map { a in
            var cells = [a.duration.map(TimeText.preciseDuration) ?? "running"]
            cells.append(a.exitCode.map { "exit \($0)" } ?? "exit -")
            cells.append(a.state?.rawValue ?? "running")
            if let reason = a.reason { cells.append(ScreenText.label(reason)) }
            let role: StyleRole = a.state.map(StyleRole.of) ?? .stateRunning
            return ("  #\(a.attempt)", cells.joined(separator: "  "), role)
        }
    }
}


extension String {
    /// The text with each `→` as `->`, for terminals that draw ASCII only.
    fileprivate func replacingArrows() -> String {
        split(separator: "→", omittingEmptySubsequences: false).joined(separator: "->")
    }
}
