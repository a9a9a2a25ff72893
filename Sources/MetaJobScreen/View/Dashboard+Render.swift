import MetaJobCore

extension Dashboard {
    // Geometry of the run layout.
    var bodyTop: Int { 2 }
    var bodyHeight: Int { max(0, height - 3) }
    /// The graph pane: 55% of the width, less when a small DAG needs less (the logs get the rest).
    var leftWidth: Int {
        let most = max(30, width * 11 / 20)
        guard graphMode == .dag, graphPane.layoutReady else { return most }
        return min(most, max(32, graphPane.layout.width + 2))
    }
    var detailsHeight: Int { min(12, bodyHeight / 2) }

    /// Draws the whole frame at the current size.
    public func render() -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        guard width >= Dashboard.minimumWidth, height >= Dashboard.minimumHeight else {
            renderTooSmall(&buffer)
            return buffer
        }
        switch screen {
        case .browser:
            renderBrowser(&buffer)
        case .run:
            if let run = shownRun {
                renderHeader(&buffer, run)
                let left = Rect(x: 0, y: bodyTop, width: leftWidth, height: bodyHeight)
                switch graphMode {
                case .dag: renderDag(&buffer, run, in: left)
                case .list: renderList(&buffer, run, in: left)
                case .timeline: renderTimeline(&buffer, run, in: left)
                case .changes: renderChanges(&buffer, run, in: left)
                }
                let right = width - leftWidth
                renderDetails(&buffer, run, in: Rect(x: leftWidth, y: bodyTop, width: right, height: detailsHeight))
                renderLogs(&buffer, run, in: Rect(x: leftWidth, y: bodyTop + detailsHeight, width: right,
                                                  height: bodyHeight - detailsHeight))
            } else {
                buffer.fill(x: 0, y: 0, width: width, height: 1, role: .header)
                buffer.put(" metajob", x: 0, y: 0, role: .header)
                buffer.put("waiting for the run...", x: 2, y: 2, role: .dim)
            }
        }
        renderFooter(&buffer)
        if let overlay { renderOverlay(&buffer, overlay) }
        if glyphs.isASCII { buffer.replaceNonASCII() }
        return buffer
    }

    private func renderTooSmall(_ buffer: inout CellBuffer) {
        let lines = ["terminal too small", "need \(Dashboard.minimumWidth)x\(Dashboard.minimumHeight), have \(width)x\(height)",
                     "enlarge it, or q quits"]
        for (k, line) in lines.enumerated() {
            let y = height / 2 - 1 + k
            buffer.put(line, x: max(0, (width - line.count) / 2), y: y, role: k == 0 ? .warning : .normal)
        }
    }

    // MARK: - Header

    private func renderHeader(_ buffer: inout CellBuffer, _ run: RunView) {
        buffer.fill(x: 0, y: 0, width: width, height: 1, role: .header)
        let state = run.outcome ?? (run.isPast ? "running (another process)" : "running")
        let end = run.endTime ?? (run.isRunning ? now : run.startTime)
        var parts = [" " + run.metaJobName, "run " + ScreenText.label(run.runId), state.uppercased(),
                     "elapsed " + TimeText.duration(end - run.startTime)]
        if let eta = etaText(run) { parts.append(eta) }
        if !run.isPast {
            parts.append("slots \(run.slotsUsed)/\(run.limit)")
            parts.append("delayed \(run.count(.delayed))")
            if run.paused { parts.append("PAUSED") }
        } else {
            parts.append("read-only: r resumes")
        }
        buffer.put(parts.joined(separator: " \(glyphs.vertical) "),
                   x: 0, y: 0, role: .header)
        var x = 1
        for state in JobState.allCases where run.count(state) > 0 {
            let text = "\(glyphs.glyph(state)) \(run.count(state)) \(state.rawValue)"
            guard x + text.count < width else { break }
            x = buffer.put(text, x: x, y: 1, role: .of(state)) + 2
        }
    }

    // MARK: - Footer

    private func renderFooter(_ buffer: inout CellBuffer) {
        let y = height - 1
        buffer.fill(x: 0, y: y, width: width, height: 1, role: .footer)
        if case .prompt(let target, let text) = overlay {
            let label = target == .logSearch ? "search: /" : target.isFilter ? "filter: /" : "save to: "
            let x = buffer.put(label, x: 0, y: y, role: .key)
            let shown = String(text.suffix(max(1, width - x - 30)))
            let end = buffer.put(shown, x: x, y: y, role: .footer)
            buffer.put("_", x: end, y: y, role: .key)
            let enter = target == .logSearch ? "search" : target.isFilter ? "keep" : "save"
            buffer.put("  Enter " + enter + "  Esc cancel", x: end + 1, y: y, role: .footer)
            return
        }
        if let status {
            buffer.put(" " + status.text, x: 0, y: y, role: status.role == .dim ? .footer : status.role)
            return
        }
        // `? help` and `q quit` always show, at the right; the others fill from the left while they fit.
        let right: [(String, String)] = [("?", "help"), ("q", "quit")]
        let rightWidth = right.reduce(0) { $0 + $1.0.count + $1.1.count + 3 }
        var x = 1
        for (key, what) in footerKeys {
            let need = key.count + what.count + 3
            guard x + need <= width - rightWidth else { break }
            x = buffer.put(key, x: x, y: y, role: .key)
            x = buffer.put(" " + what + "  ", x: x, y: y, role: .footer)
        }
        x = width - rightWidth + 1
        for (key, what) in right {
            x = buffer.put(key, x: x, y: y, role: .key)
            x = buffer.put(" " + what + "  ", x: x, y: y, role: .footer)
        }
    }

    private var upDown: String { glyphs.isASCII ? "up/dn" : "↑↓" }

    /// The keys that apply now, most useful first (the footer cuts at the width; `?` lists all).
    var footerKeys: [(String, String)] {
        if screen == .browser {
            return [(upDown, "move"), ("Enter", "open"), ("r", "resume"), ("/", "filter")]
                + (shownRun != nil ? [("Esc", "back")] : []) + [("T", "theme")]
        }
        guard let run = shownRun else { return [("H", "history")] }
        var keys: [(String, String)] = []
        if focus == .logs {
            keys += [(upDown, "scroll"), ("f", logPane.follow ? "unfollow" : "follow"), ("/", "search")]
            if !logPane.searchQuery.isEmpty { keys += [("n/N", "next/prev")] }
            keys += [("w", logPane.wrap ? "unwrap" : "wrap"), ("a", "attempts"), ("Esc", "back")]
        } else {
            keys += [(glyphs.isASCII ? "arrows" : "↑↓←→", "move"), ("Enter", "logs"), ("Tab", "pane")]
        }
        if run.isPast {
            keys += [("r", "resume"), ("Esc", "browser")]
        } else if run.jobs.indices.contains(selectedJob) {
            let job = run.jobs[selectedJob]
            if job.state.isFailure || job.state == .notRun { keys.append(("r", "retry")) }
            if run.count(.userError) + run.count(.platformError) + run.count(.cancelled) > 0 { keys.append(("R", "retry failed")) }
            if job.state.isFinal { keys.append(("d", "rerun+downstream")) } else { keys.append(("c", "cancel")) }
            if run.isRunning { keys.append(("p", run.paused ? "resume" : "pause")) }
            keys += [("+/-", "slots")]
        }
        keys += [("l", graphMode == .list ? "graph" : "list"), ("t", "timeline"), ("H", "history"), ("T", "theme")]
        return keys
    }

    // MARK: - Boxes

    /// A pane border with its title; the focused pane's border stands out.
    func drawBox(_ buffer: inout CellBuffer, _ rect: Rect, title: String, focused: Bool) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let role: StyleRole = focused ? .borderFocused : .border
        let h = String(repeating: glyphs.horizontal, count: rect.width - 2)
        buffer.put(String(glyphs.topLeft) + h + String(glyphs.topRight), x: rect.x, y: rect.y, role: role)
        buffer.put(String(glyphs.bottomLeft) + h + String(glyphs.bottomRight), x: rect.x, y: rect.y + rect.height - 1, role: role)
        for y in (rect.y + 1) ..< (rect.y + rect.height - 1) {
            buffer.put(String(glyphs.vertical), x: rect.x, y: y, role: role)
            buffer.put(String(glyphs.vertical), x: rect.x + rect.width - 1, y: y, role: role)
        }
        buffer.put(" " + glyphs.fitted(title, width: rect.width - 6) + " ", x: rect.x + 2, y: rect.y, role: role, maxWidth: rect.width - 4)
    }
}
