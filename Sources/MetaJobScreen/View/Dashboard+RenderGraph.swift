import MetaJobCore

extension Dashboard {
    /// A job's time so far: run time of its attempt, or nil before it started.
    func duration(_ job: JobView) -> Double? {
        guard let start = job.startedAt else { return nil }
        let end = job.endedAt ?? (job.state.isFinal || !job.state.holdsSlot ? start : now)
        return max(0, end - start)
    }

    /// `running #2 14s` / `delayed #1 in 25s`: the word, attempt and time of a job.
    func stateLine(_ job: JobView) -> String {
        var text = job.state.rawValue
        if job.attempt > 0 { text += " #\(job.attempt)" }
        if job.state == .delayed, let ready = job.readyAt {
            text += " in " + TimeText.duration(max(0, ready - now))
        } else if let d = duration(job), job.state != .pending, job.state != .queued {
            text += " " + TimeText.duration(d)
        }
        if job.progress.reusedFrom != nil { text += " (reused)" }
        return text
    }

    func nameRole(_ j: Int) -> StyleRole {
        if j == selectedJob { return .selection }
        if graphPane.upstream.indices.contains(j) && graphPane.upstream[j] { return .upstream }
        if graphPane.downstream.indices.contains(j) && graphPane.downstream[j] { return .downstream }
        if criticalMark(j) != nil { return .critical }
        return .normal
    }

    /// Keeps `position` (of an item `size` long) in view of `visible`, centring it when it leaves.
    func scrollOffset(position: Int, size: Int, visible: Int, total: Int) -> Int {
        guard total > visible else { return 0 }
        if position + size <= visible { return 0 }
        return max(0, min(position - (visible - size) / 2, total - visible))
    }

    // MARK: - DAG

    func renderDag(_ buffer: inout CellBuffer, _ run: RunView, in rect: Rect) {
        drawBox(&buffer, rect, title: "Jobs: \(run.graph.count), \(run.graph.depth) level\(run.graph.depth == 1 ? "" : "s")",
                focused: focus == .graph)
        let area = rect.inner
        guard run.graph.count > 0, area.width > 0, area.height > 0 else { return }
        let columnStep = DagLayout.columnWidth + DagLayout.gapWidth
        let selectedX = DagLayout.x(ofColumn: graphPane.layout.jobColumn[selectedJob])
        let selectedY = graphPane.layout.jobIndex[selectedJob] * DagLayout.pitch
        let scrollX = scrollOffset(position: selectedX, size: DagLayout.columnWidth, visible: area.width, total: graphPane.layout.width)
        let scrollY = scrollOffset(position: selectedY, size: 2, visible: area.height, total: graphPane.layout.height)
        var clipped = CellBuffer(width: area.width, height: area.height)
        let firstColumn = max(0, scrollX / columnStep)
        let lastColumn = min(graphPane.layout.columns.count - 1, (scrollX + area.width) / columnStep)
        guard firstColumn <= lastColumn else { return }
        for c in firstColumn...lastColumn {
            let x0 = DagLayout.x(ofColumn: c) - scrollX
            // The gap left of the column: edges.
            if c > 0 {
                let gap = graphPane.layout.gaps[c]
                let rows = gap.count / DagLayout.gapWidth
                for y in max(0, scrollY) ..< min(rows, scrollY + area.height) {
                    for gx in 0..<DagLayout.gapWidth {
                        let mask = gap[y * DagLayout.gapWidth + gx]
                        guard mask != 0 else { continue }
                        let character = mask & EdgeMask.arrow != 0 ? glyphs.arrow : glyphs.junction(mask)
                        clipped[x0 - DagLayout.gapWidth + gx, y - scrollY] = Cell(character, role: .edge)
                    }
                }
            }
            let items = graphPane.layout.columns[c]
            let firstItem = max(0, scrollY / DagLayout.pitch)
            let lastItem = min(items.count - 1, (scrollY + area.height) / DagLayout.pitch)
            guard firstItem <= lastItem else { continue }
            for k in firstItem...lastItem {
                let y = k * DagLayout.pitch - scrollY
                let j = items[k]
                if j < 0 {
                    clipped.put(String(repeating: glyphs.horizontal, count: DagLayout.columnWidth), x: x0, y: y, role: .edge)
                    continue
                }
                let job = run.jobs[j]
                let role = StyleRole.of(job.state)
                clipped.put(String(glyphs.glyph(job.state)), x: x0, y: y, role: role)
                let end = clipped.put(" " + glyphs.fitted(job.name, width: DagLayout.columnWidth - 2), x: x0 + 1, y: y, role: nameRole(j), maxWidth: DagLayout.columnWidth - 1)
                if !run.graph.dependents[j].isEmpty && end + 1 < x0 + DagLayout.columnWidth {
                    // Lead the outgoing edges out of the node, so they visibly start at it.
                    clipped.put(String(repeating: glyphs.horizontal, count: x0 + DagLayout.columnWidth - end - 1),
                                x: end + 1, y: y, role: .edge)
                }
                if let mark = criticalMark(j) { clipped[x0 + 1, y] = Cell(mark, role: .critical) }
                if let (text, expectedRole) = dagExpectation(j, job) {
                    clipped.put("  " + text, x: x0, y: y + 1, role: expectedRole, maxWidth: DagLayout.columnWidth)
                } else {
                    clipped.put("  " + stateLine(job), x: x0, y: y + 1, role: role, maxWidth: DagLayout.columnWidth)
                }
            }
        }
        highlightEdges(&clipped, scrollX: scrollX, scrollY: scrollY)
        for y in 0..<area.height {
            for x in 0..<area.width { buffer[area.x + x, area.y + y] = clipped[x, y] }
        }
    }

    /// Gives the selection's upstream and downstream edges their roles (characters stay as drawn).
    private func highlightEdges(_ clipped: inout CellBuffer, scrollX: Int, scrollY: Int) {
        func mark(_ hops: [EdgeHop], _ role: StyleRole) {
            for (n, hop) in hops.enumerated() {
                let left = DagLayout.x(ofColumn: hop.column) - DagLayout.gapWidth - scrollX
                guard left < clipped.width, left + DagLayout.gapWidth + DagLayout.columnWidth >= 0 else { continue }
                DagLayout.cells(of: hop) { x, y, _ in
                    let cy = y - scrollY
                    if cy >= 0 && cy < clipped.height { clipped.setRole(role, x: left + x, y: cy, width: 1) }
                }
                if n < hops.count - 1 {
                    clipped.setRole(role, x: left + DagLayout.gapWidth, y: hop.targetIndex * DagLayout.pitch - scrollY,
                                    width: DagLayout.columnWidth)
                }
            }
        }
        for edge in graphPane.layout.edgesInto[selectedJob] { mark(edge.hops, .upstream) }
        for j in graphPane.upstreamJobs {
            for edge in graphPane.layout.edgesInto[j] { mark(edge.hops, .upstream) }
        }
        for j in graphPane.downstreamJobs {
            for edge in graphPane.layout.edgesInto[j] where edge.from == selectedJob || graphPane.downstream[edge.from] { mark(edge.hops, .downstream) }
        }
    }

    // MARK: - List

    func renderList(_ buffer: inout CellBuffer, _ run: RunView, in rect: Rect) {
        let filter = graphPane.listFilter.isEmpty ? "/ filters" : "filter: " + graphPane.listFilter
        drawBox(&buffer, rect, title: "Jobs: \(graphPane.jobList.jobs.count) of \(run.graph.count)  (\(filter))", focused: focus == .graph)
        let area = rect.inner
        guard area.height > 0 else { return }
        if graphPane.jobList.rows.isEmpty {
            buffer.put("no job matches \"\(graphPane.listFilter)\"; Esc clears the filter", x: area.x + 1, y: area.y, role: .dim, maxWidth: area.width - 1)
            return
        }
        let selectedRow = graphPane.jobList.rowOf.indices.contains(selectedJob) ? max(0, graphPane.jobList.rowOf[selectedJob]) : 0
        let top = scrollOffset(position: selectedRow, size: 1, visible: area.height, total: graphPane.jobList.rows.count)
        // With estimates the row also holds a progress bar and the time left: the names give way first.
        let nameWidth = max(10, min(32, area.width - (!showingPast && foresight.estimates != nil ? 42 : 30)))
        for r in top ..< min(graphPane.jobList.rows.count, top + area.height) {
            let y = area.y + r - top
            switch graphPane.jobList.rows[r] {
            case let .level(level, count):
                let text = String(repeating: glyphs.horizontal, count: 2) + " level \(level) (\(count) job\(count == 1 ? "" : "s")) "
                buffer.put(text, x: area.x, y: y, role: .dim, maxWidth: area.width)
            case .job(let j):
                let job = run.jobs[j]
                let role = StyleRole.of(job.state)
                buffer.put(String(glyphs.glyph(job.state)), x: area.x + 1, y: y, role: role)
                buffer.put(glyphs.fitted(job.name, width: nameWidth), x: area.x + 3, y: y, role: nameRole(j), maxWidth: nameWidth)
                if j == selectedJob { buffer.setRole(.selection, x: area.x + 3, y: y, width: nameWidth) }
                if let mark = criticalMark(j) { buffer[area.x + 2, y] = Cell(mark, role: .critical) }
                let end = buffer.put(stateLine(job), x: area.x + 4 + nameWidth, y: y, role: role, maxWidth: area.width - nameWidth - 4)
                if let (text, expectedRole) = listExpectation(j, job) {
                    buffer.put(text, x: end + 2, y: y, role: expectedRole, maxWidth: max(0, area.x + area.width - end - 2))
                }
            }
        }
    }

    // MARK: - Timeline

    func renderTimeline(_ buffer: inout CellBuffer, _ run: RunView, in rect: Rect) {
        let end = run.endTime ?? (run.isRunning ? now : run.startTime)
        // The axis reaches the expected end, so expected bars fit past the run's bars.
        let schedule = showingPast ? nil : foresight.schedule
        let axisEnd = max(end, schedule.map { $0.end } ?? end)
        let span = max(1, axisEnd - run.startTime)
        var title = "Timeline: \(TimeText.duration(end - run.startTime))"
        if axisEnd > end { title += ", \(glyphs.expected) expected to " + TimeText.duration(span) }
        drawBox(&buffer, rect, title: title + "  (t graph)", focused: focus == .graph)
        let area = rect.inner
        guard area.height > 1 else { return }
        let nameWidth = min(18, area.width / 3)
        let barX = area.x + nameWidth + 3
        let barWidth = max(1, area.x + area.width - barX)
        // Axis: start, middle and end of the run.
        buffer.put("0s", x: barX, y: area.y, role: .dim)
        let middle = TimeText.duration(span / 2)
        buffer.put(middle, x: barX + barWidth / 2 - middle.count / 2, y: area.y, role: .dim)
        let last = TimeText.duration(span)
        buffer.put(last, x: barX + barWidth - last.count, y: area.y, role: .dim)
        let jobs = graphPane.jobList.jobs
        let rows = area.height - 1
        let selectedRow = graphPane.jobList.positionOf.indices.contains(selectedJob) ? max(0, graphPane.jobList.positionOf[selectedJob]) : 0
        let top = scrollOffset(position: selectedRow, size: 1, visible: rows, total: jobs.count)
        for r in top ..< min(jobs.count, top + rows) {
            let j = jobs[r]
            let job = run.jobs[j]
            let y = area.y + 1 + r - top
            buffer.put(String(glyphs.glyph(job.state)), x: area.x, y: y, role: .of(job.state))
            if let mark = criticalMark(j) { buffer[area.x + 1, y] = Cell(mark, role: .critical) }
            buffer.put(glyphs.fitted(job.name, width: nameWidth), x: area.x + 2, y: y, role: nameRole(j), maxWidth: nameWidth)
            // Clamped before converting: a time outside the run (or not finite) must not trap in Int(_:).
            func column(_ t: Double, _ rule: FloatingPointRoundingRule) -> Int {
                let x = (t - run.startTime) / span * Double(barWidth)
                return x.isFinite ? Int(min(max(x, -1), Double(barWidth + 1)).rounded(rule)) : 0
            }
            for piece in job.spans {
                let from = column(piece.start, .down)
                let to = column(piece.end ?? end, .up)
                let a = max(0, min(barWidth - 1, from))
                let b = max(a + 1, min(barWidth, to))
                buffer.put(String(repeating: glyphs.bar, count: b - a), x: barX + a, y: y, role: .of(piece.state))
            }
            // What is still expected: past a running job's bar to its expected end, a whole bar for a job to come.
            if let planned = schedule?.spans[j], planned.isEstimated, planned.end > now {
                let from = max(column(max(planned.start, now), .down), 0)
                let to = column(planned.end, .up)
                let a = max(0, min(barWidth - 1, from))
                let b = max(a + 1, min(barWidth, to))
                let cellRole: StyleRole = foresight.isCritical(j) ? .critical : .expected
                for x in a..<b where buffer[barX + x, y].character == " " { buffer[barX + x, y] = Cell(glyphs.expected, role: cellRole) }
            }
        }
    }
}
