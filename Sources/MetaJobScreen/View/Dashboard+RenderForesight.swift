import MetaJobCore

extension Dashboard {
    // MARK: - Foresight in the views

    /// The header's look ahead: `ETA 12:40:05 (25m left)`, `ETA ≥ 12:40:05 (≥ 25m left)`, `ETA: no estimate`;
    /// nil when the live run is not shown, is over, or the history has not answered yet.
    func etaText(_ run: RunView) -> String? {
        guard !run.isPast, run.isRunning, let schedule = foresight.schedule else { return nil }
        let atLeast = glyphs.isASCII ? ">= " : "≥ "
        var text: String
        switch schedule.precision {
        case .none:
            return "ETA: no estimate"
        case .expected:
            text = "ETA " + TimeText.clock(schedule.end) + " (" + TimeText.duration(schedule.remaining) + " left)"
        case .atLeast:
            text = "ETA " + atLeast + TimeText.clock(schedule.end) + " (" + atLeast + TimeText.duration(schedule.remaining) + " left)"
        }
        if run.paused { text += " if resumed now" }
        return text
    }

    /// The details pane's "Expected" line: `usually 2m10s, p90 3m05s; 1m12s left`; nil before the history
    /// answered, or for a past run.
    func expectedLine(_ j: Int, _ job: JobView) -> (String, StyleRole)? {
        guard !showingPast, foresight.estimates != nil else { return nil }
        guard let estimate = foresight.estimate(j) else { return ("no estimate: no past success", .dim) }
        var text = "usually " + TimeText.duration(estimate.median) + ", p90 " + TimeText.duration(estimate.p90)
        if estimate.sampleCount < DurationEstimate.sampleLimit {
            text += " (\(estimate.sampleCount) run\(estimate.sampleCount == 1 ? "" : "s"))"
        }
        switch expectation(j, job) {
        case .left(let left, _)?:
            return (text + "; " + TimeText.duration(left) + " left", .expected)
        case .overdue(let elapsed, _)?:
            return (text + "; \(glyphs.overdue) overdue, running " + TimeText.duration(elapsed), .overdue)
        case nil:
            if !job.state.isFinal, let span = foresight.schedule?.spans[j], span.start > now {
                text += "; starts ~" + TimeText.clock(span.start)
            }
            return (text, .normal)
        }
    }

    /// The second line of a running job's DAG node: `running 1m12s left` (always fits the column: a duration
    /// is at most five characters) or `⚑ overdue 3m05s`; nil to keep the usual state line.
    func dagExpectation(_ j: Int, _ job: JobView) -> (String, StyleRole)? {
        switch expectation(j, job) {
        case .left(let left, _)?: return (job.state.rawValue + " " + TimeText.duration(left) + " left", .of(job.state))
        case .overdue(let elapsed, _)?: return ("\(glyphs.overdue) overdue " + TimeText.duration(elapsed), .overdue)
        case nil: return nil
        }
    }

    /// What the list adds after a running job's state: a progress bar and the time left, or overdue.
    func listExpectation(_ j: Int, _ job: JobView) -> (String, StyleRole)? {
        switch expectation(j, job) {
        case .left(let left, let fraction)?:
            let cells = 6
            let done = min(cells, max(0, Int((fraction * Double(cells)).rounded(.down))))
            let bar = String(repeating: glyphs.progressDone, count: done) + String(repeating: glyphs.progressLeft, count: cells - done)
            return (bar + " " + TimeText.duration(left) + " left", .expected)
        case .overdue(_, let p90)?:
            return ("\(glyphs.overdue) overdue (p90 " + TimeText.duration(p90) + ")", .overdue)
        case nil:
            return nil
        }
    }

    /// The critical path's glyph for job `j` (a space when it is not on it), drawn right after its state glyph.
    func criticalMark(_ j: Int) -> Character? {
        !showingPast && foresight.isCritical(j) ? glyphs.critical : nil
    }

    // MARK: - Retry preview

    func renderRetryPreview(_ buffer: inout CellBuffer, _ command: RunCommand, _ preview: RetryPreview) {
        guard let run = live else { return }
        let title: String
        switch command {
        case .retry(let j): title = "Retry \(run.jobs[j].name)?"
        case .retryDownstream(let j): title = "Rerun \(run.jobs[j].name) and everything downstream?"
        default: title = "Retry every failed job?"
        }
        let w = min(width - 4, 76)
        let textWidth = w - 4
        var lines: [(String, StyleRole)] = []
        func list(_ label: String, _ jobs: [Int], _ role: StyleRole, states: Bool = false) {
            let names = jobs.map { run.jobs[$0].name + (states ? " (\(run.jobs[$0].state.rawValue))" : "") }
            for line in Self.wrap(label + " (\(jobs.count)): ", names.isEmpty ? ["none"] : names, width: textWidth, maxLines: 3) {
                lines.append((line, role))
            }
        }
        list("Runs again", preview.rerun, .warning)
        list("Reused, not run again", preview.reused, .stateSucceeded)
        list("Stays as it is", preview.unchanged, .dim, states: true)
        lines.append(("", .normal))
        lines.append((addedTimeText(preview), .expected))
        if !preview.rerun.isEmpty, preview.schedule.criticalPath.count > 1 {
            let path = preview.schedule.criticalPath.map { run.jobs[$0].name }
            for line in Self.wrap("\(glyphs.critical) Critical path: ", path, width: textWidth, maxLines: 2, separator: glyphs.isASCII ? " > " : " → ") {
                lines.append((line, .critical))
            }
        }
        lines.append(("", .normal))
        lines.append(("Enter  " + (preview.rerun.isEmpty ? "send anyway" : "retry") + "     Esc  cancel", .key))
        let h = min(height - 2, lines.count + 2)
        let rect = Rect(x: (width - w) / 2, y: max(0, (height - h) / 2), width: w, height: h)
        buffer.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        drawBox(&buffer, rect, title: title, focused: true)
        for (k, line) in lines.prefix(h - 2).enumerated() {
            buffer.put(line.0, x: rect.x + 2, y: rect.y + 1 + k, role: line.1, maxWidth: textWidth)
        }
    }

    /// `Expected added time: 2m10s (run ends ~12:40:05)`, with "≥" when some job has no estimate.
    func addedTimeText(_ preview: RetryPreview) -> String {
        let schedule = preview.schedule
        if preview.rerun.isEmpty { return "Nothing can start: a job it needs stays failed or not_run." }
        if foresight.estimates == nil { return "Expected added time: no estimate (the history has not answered)" }
        let atLeast = glyphs.isASCII ? ">= " : "≥ "
        switch schedule.precision {
        case .none:
            return "Expected added time: no estimate (no past success of these jobs)"
        case .expected:
            return "Expected added time: " + TimeText.duration(schedule.remaining) + " (run ends ~" + TimeText.clock(schedule.end) + ")"
        case .atLeast:
            return "Expected added time: " + atLeast + TimeText.duration(schedule.remaining)
                + " (\(schedule.jobsWithoutEstimate) job\(schedule.jobsWithoutEstimate == 1 ? "" : "s") without an estimate)"
        }
    }

    /// `label` then `items` joined with `separator`, wrapped at `width`, at most `maxLines` (the last says how
    /// many more there are).
    static func wrap(_ label: String, _ items: [String], width: Int, maxLines: Int, separator: String = ", ") -> [String] {
        var lines: [String] = []
        var line = label
        var lineHasItem = false
        for (k, item) in items.enumerated() {
            let piece = (lineHasItem ? separator : "") + item
            if line.count + piece.count > width && lineHasItem {
                if lines.count + 1 == maxLines {
                    lines.append(line + " +\(items.count - k) more")
                    return lines
                }
                lines.append(line + Substring(separator).trimmingSpaces)
                line = "  " + item
            } else {
                line += piece
            }
            lineHasItem = true
        }
        lines.append(line)
        return lines
    }
}
