import MetaJobCore

extension Dashboard {
    // MARK: - Keys

    mutating func handle(_ key: Key) -> [DashboardEffect] {
        status = nil
        if let overlay { return handle(key, in: overlay) }
        switch key {
        case .character("?"), .function(1):
            overlay = .help
            return []
        case .character("T"):
            themeIndex = (themeIndex + 1) % themes.count
            theme = themes[themeIndex]
            status = StatusMessage(text: "theme: \(theme.name)", role: .dim)
            return []
        case .character("q"), .ctrl("c"):
            return quit()
        case .character("H"):
            return openBrowser()
        default:
            break
        }
        switch screen {
        case .browser: return browserKey(key)
        case .run: return runKey(key)
        }
    }

    private mutating func handle(_ key: Key, in overlay: Overlay) -> [DashboardEffect] {
        switch overlay {
        case .help:
            self.overlay = nil
            return []
        case .confirmCancel(let job):
            self.overlay = nil
            if key == .character("y") || key == .character("Y") || key == .enter {
                status = StatusMessage(text: "cancelling \(shownRun?.jobs[job].name ?? "")", role: .warning)
                return [.send(.cancel(job: job))]
            }
            status = StatusMessage(text: "not cancelled", role: .dim)
            return []
        case .confirmRetry(let command, _):
            return retryPreviewKey(key, command)
        case .confirmQuit:
            switch key {
            case .character("s"), .character("S"), .character("y"), .character("Y"):
                self.overlay = nil
                quitSent = true
                return [.quit(stopRunning: true)]
            case .character("l"), .character("L"):
                self.overlay = nil
                quitSent = true
                return [.quit(stopRunning: false)]
            case .character("d") where offersDetach, .character("D") where offersDetach:
                self.overlay = nil
                quitSent = true
                return [.detach]
            case .escape, .character("c"), .character("n"), .character("N"), .character("q"):
                self.overlay = nil
                return []
            default:
                return []
            }
        case .prompt(let target, var text):
            switch key {
            case .escape:
                self.overlay = nil
                return []
            case .enter:
                self.overlay = nil
                return submit(target, text)
            case .backspace:
                if !text.isEmpty { text.removeLast() }
                self.overlay = .prompt(target, text: text)
                if target.isFilter { return submit(target, text) }
                return []
            case .character(let c):
                // Only what draws as itself in one column (no controls, no wide characters) goes into a prompt.
                if ScreenText.label(String(c)) == String(c) && text.count < 200 { text.append(c) }
                self.overlay = .prompt(target, text: text)
                // Filters narrow as you type; a log search runs on Enter (it may scan 20,000 lines).
                if target.isFilter { return submit(target, text) }
                return []
            default:
                return []
            }
        }
    }

    private mutating func submit(_ target: PromptTarget, _ text: String) -> [DashboardEffect] {
        switch target {
        case .logSearch:
            logPane.searchQuery = text
            logPane.searchLine = nil
            if !text.isEmpty { findNext(forward: true, fromCurrent: true) }
        case .jobFilter:
            graphPane.listFilter = text
            if let run = shownRun {
                graphPane.jobList = JobList(graph: run.graph, names: run.jobs.map(\.name), filter: text)
                if graphPane.jobList.rowOf.indices.contains(selectedJob), graphPane.jobList.rowOf[selectedJob] < 0, let first = graphPane.jobList.jobs.first {
                    return select(first)
                }
            }
        case .runFilter:
            browser.filter = text
            browser.rebuildRows()
        case let .saveLog(job, attempt):
            return saveLog(job: job, attempt: attempt, path: text)
        }
        return []
    }

    private mutating func quit() -> [DashboardEffect] {
        if let run = live, run.isRunning, !detachOnQuit {
            overlay = .confirmQuit
            return []
        }
        quitSent = true
        return [.quit(stopRunning: false)]
    }

    private mutating func openBrowser() -> [DashboardEffect] {
        screen = .browser
        overlay = nil
        browser.requested = true
        return [.loadHistory]
    }

    // MARK: - History browser

    private mutating func browserKey(_ key: Key) -> [DashboardEffect] {
        switch key {
        case .up, .character("k"): browser.selected = max(0, browser.selected - 1)
        case .down, .character("j"): browser.selected = min(max(0, browser.rows.count - 1), browser.selected + 1)
        case .pageUp: browser.selected = max(0, browser.selected - pageSize)
        case .pageDown: browser.selected = min(max(0, browser.rows.count - 1), browser.selected + pageSize)
        case .home, .character("g"): browser.selected = 0
        case .end, .character("G"): browser.selected = max(0, browser.rows.count - 1)
        case .character("/"): overlay = .prompt(.runFilter, text: browser.filter)
        case .enter:
            guard browser.rows.indices.contains(browser.selected) else {
                status = StatusMessage(text: "no run selected: the history is empty or the filter hides every run", role: .warning)
                return []
            }
            return [.openPastRun(runId: browser.runs[browser.rows[browser.selected]].runId)]
        case .character("r"):
            guard browser.rows.indices.contains(browser.selected) else { return [] }
            return resume(browser.runs[browser.rows[browser.selected]])
        case .escape:
            if !browser.filter.isEmpty {
                browser.filter = ""
                browser.rebuildRows()
            } else if shownRun != nil {
                screen = .run
            } else {
                status = StatusMessage(text: "q quits", role: .dim)
            }
        case .character("R"), .character("d"), .character("c"), .character("p"), .character("+"), .character("-"):
            status = StatusMessage(text: "open a run first (Enter); the browser itself has no jobs", role: .warning)
        default: break
        }
        return []
    }

    private mutating func resume(_ summary: RunSummary) -> [DashboardEffect] {
        if summary.state == .running {
            status = StatusMessage(text: "run \(ScreenText.label(summary.runId)) is still running in another process; it can be resumed once it ends", role: .warning)
            return []
        }
        if summary.state == .succeeded {
            status = StatusMessage(text: "run \(ScreenText.label(summary.runId)) succeeded: nothing to resume", role: .warning)
            return []
        }
        if let run = live, run.isRunning {
            status = StatusMessage(text: "a run is live in this dashboard; resume once it ends (or quit and run `metajob resume`)", role: .warning)
            return []
        }
        status = StatusMessage(text: "resuming \(ScreenText.label(summary.runId))...", role: .dim)
        return [.resume(runId: summary.runId)]
    }

    var pageSize: Int { max(1, height - 6) }

    // MARK: - Run layout

    private mutating func runKey(_ key: Key) -> [DashboardEffect] {
        guard let run = shownRun else { return [] }
        switch key {
        case .tab:
            let all = Pane.allCases
            focus = all[(all.firstIndex(of: focus)! + 1) % all.count]
            return []
        case .backTab:
            let all = Pane.allCases
            focus = all[(all.firstIndex(of: focus)! + all.count - 1) % all.count]
            return []
        case .enter:
            focus = .logs
            return []
        case .escape:
            if focus != .graph { focus = .graph; return [] }
            if graphMode == .list && !graphPane.listFilter.isEmpty { return submit(.jobFilter, "") }
            if graphMode == .timeline || graphMode == .changes {
                if !showDag() { graphMode = .list }
                return []
            }
            if showingPast {
                if browser.requested || mode == .browser {
                    screen = .browser
                    return []
                }
            }
            return []
        case .character("l"):
            if graphMode == .list { _ = showDag() } else { graphMode = .list }
            return []
        case .character("C"):
            return compareKey()
        case .character("s"):
            return saveLogKey()
        case .character("y"):
            return copyKey()
        case .character("t"):
            if graphMode == .timeline {
                if !showDag() { graphMode = .list }
            } else {
                graphMode = .timeline
            }
            return []
        default:
            break
        }
        if let effects = commandKey(key, run) { return effects }
        if focus == .logs, let effects = logKey(key) { return effects }
        return moveKey(key)
    }

    /// The run's commands; nil when `key` is not one.
    private mutating func commandKey(_ key: Key, _ run: RunView) -> [DashboardEffect]? {
        guard case .character(let c) = key, "rRdcp+-".contains(c) else { return nil }
        if run.isPast {
            if c == "r" {
                let summary = RunSummary(runId: run.runId, metaJob: run.metaJobName, state: run.outcome.flatMap(StoredRunState.init) ?? .running,
                                         startedAt: run.startTime, endedAt: run.endTime, jobCounts: [:], resumedFrom: nil)
                return resume(summary)
            }
            status = StatusMessage(text: "read-only: this is a past run; r resumes it as a new run", role: .warning)
            return []
        }
        guard run.jobs.indices.contains(selectedJob) else { return [] }
        let job = run.jobs[selectedJob]
        switch c {
        case "r":
            guard job.state.isFailure || job.state == .notRun else {
                status = StatusMessage(text: "r: \(job.name) is \(job.state.rawValue); only failed, cancelled or not_run jobs can be retried (d reruns it with its downstream)", role: .warning)
                return []
            }
            return previewRetry(.job(selectedJob), .retry(job: selectedJob), run)
        case "R":
            let failed = run.count(.userError) + run.count(.platformError) + run.count(.cancelled)
            guard failed > 0 else {
                status = StatusMessage(text: "R: no failed or cancelled job to retry", role: .warning)
                return []
            }
            return previewRetry(.failed, .retryFailed, run)
        case "d":
            guard job.state.isFinal else {
                status = StatusMessage(text: "d: \(job.name) is \(job.state.rawValue); it can be rerun with its downstream once it has finished", role: .warning)
                return []
            }
            return previewRetry(.downstream(selectedJob), .retryDownstream(job: selectedJob), run)
        case "c":
            guard !job.state.isFinal else {
                status = StatusMessage(text: "c: \(job.name) has already finished (\(job.state.rawValue)); nothing to cancel", role: .warning)
                return []
            }
            overlay = .confirmCancel(job: selectedJob)
            return []
        case "p":
            guard run.isRunning else {
                status = StatusMessage(text: "p: the run is over; nothing to pause", role: .warning)
                return []
            }
            return [.send(run.paused ? .resume : .pause)]
        case "+":
            return [.send(.setConcurrency(run.limit + 1))]
        default:
            guard run.limit > 1 else {
                status = StatusMessage(text: "-: the concurrency limit is already 1", role: .warning)
                return []
            }
            return [.send(.setConcurrency(run.limit - 1))]
        }
    }

    /// Movement in the graph pane (DAG, list or timeline) and the details pane.
    private mutating func moveKey(_ key: Key) -> [DashboardEffect] {
        guard let run = shownRun, run.graph.count > 0 else { return [] }
        let dag = graphMode == .dag
        var target: Int?
        switch key {
        case .up, .character("k"):
            target = dag ? graphPane.layout.vertical(from: selectedJob, by: -1) : listStep(from: selectedJob, by: -1)
        case .down, .character("j"):
            target = dag ? graphPane.layout.vertical(from: selectedJob, by: 1) : listStep(from: selectedJob, by: 1)
        case .left, .character("h"):
            target = dag ? graphPane.layout.horizontal(from: selectedJob, by: -1) : nil
        case .right:
            target = dag ? graphPane.layout.horizontal(from: selectedJob, by: 1) : nil
        case .pageUp, .pageDown:
            var j = selectedJob
            for _ in 0..<max(1, pageSize / (dag ? DagLayout.pitch : 1)) {
                let next = dag ? graphPane.layout.vertical(from: j, by: key == .pageUp ? -1 : 1) : listStep(from: j, by: key == .pageUp ? -1 : 1)
                guard let next else { break }
                j = next
            }
            target = j
        case .home, .character("g"):
            target = listedJobs.first
        case .end, .character("G"):
            target = listedJobs.last
        case .character("/"):
            if graphMode == .list {
                overlay = .prompt(.jobFilter, text: graphPane.listFilter)
            } else {
                status = StatusMessage(text: "/: filter in the list (l), search in the logs (Enter, then /)", role: .warning)
            }
            return []
        case .character("f"), .character("w"), .character("a"), .character("n"), .character("N"):
            status = StatusMessage(text: "that key works in the logs pane: press Enter to focus it", role: .warning)
            return []
        default:
            return []
        }
        guard let target, target != selectedJob else { return [] }
        return select(target)
    }

    mutating func select(_ job: Int) -> [DashboardEffect] {
        selectedJob = job
        logPane.viewedAttempt = nil
        logPane.follow = true
        logPane.top = 0
        logPane.searchLine = nil
        updateNeighbours()
        return logRequest()
    }

    // MARK: - Logs pane

    /// The log shown: the selected job's viewed attempt.
    var shownLog: AttemptLog? {
        guard let run = shownRun, run.jobs.indices.contains(selectedJob) else { return nil }
        let attempt = logPane.viewedAttempt ?? run.jobs[selectedJob].attempt
        return shownLogs[LogKey(job: selectedJob, attempt: attempt)]
    }

    /// Rows of the logs pane's text area at the current size.
    var logRows: Int { max(1, bodyHeight - detailsHeight - 2) }

    private mutating func logKey(_ key: Key) -> [DashboardEffect]? {
        guard let run = shownRun, run.jobs.indices.contains(selectedJob) else { return nil }
        let count = shownLog?.count ?? 0
        let rows = logRows
        let bottomTop = max(0, count - rows)
        func scroll(to top: Int) {
            logPane.top = min(max(0, top), bottomTop)
            logPane.follow = logPane.top >= bottomTop && !run.jobs[selectedJob].state.isFinal
        }
        let current = logPane.follow ? bottomTop : min(logPane.top, bottomTop)
        switch key {
        case .up, .character("k"): scroll(to: current - 1)
        case .down, .character("j"): scroll(to: current + 1)
        case .pageUp: scroll(to: current - rows)
        case .pageDown: scroll(to: current + rows)
        case .home, .character("g"): scroll(to: 0)
        case .end, .character("G"):
            logPane.top = bottomTop
            logPane.follow = true
        case .character("f"):
            logPane.follow.toggle()
            logPane.top = current
            status = StatusMessage(text: logPane.follow ? "following the log" : "not following", role: .dim)
        case .character("w"):
            logPane.wrap.toggle()
        case .character("a"):
            let latest = run.jobs[selectedJob].attempt
            guard latest > 1 else {
                status = StatusMessage(text: "a: \(run.jobs[selectedJob].name) has \(latest == 0 ? "not started" : "one attempt")", role: .warning)
                return []
            }
            let shown = logPane.viewedAttempt ?? latest
            let next = shown == 1 ? latest : shown - 1
            logPane.viewedAttempt = next == latest ? nil : next
            logPane.follow = logPane.viewedAttempt == nil
            logPane.top = 0
            logPane.searchLine = nil
            status = StatusMessage(text: "attempt \(next) of \(latest)", role: .dim)
            return logRequest()
        case .character("/"):
            overlay = .prompt(.logSearch, text: logPane.searchQuery)
        case .character("n"), .character("N"):
            guard !logPane.searchQuery.isEmpty else {
                status = StatusMessage(text: "no search yet: / searches the log", role: .warning)
                return []
            }
            findNext(forward: key == .character("n"), fromCurrent: false)
        case .left, .right, .character("h"):
            return nil
        default:
            return nil
        }
        return []
    }

    /// Moves to the next (or previous) line containing the search, wrapping around the retained log.
    mutating func findNext(forward: Bool, fromCurrent: Bool) {
        guard let log = shownLog, log.count > 0 else {
            status = StatusMessage(text: "no log lines to search", role: .warning)
            return
        }
        let rows = logRows
        let start = logPane.searchLine ?? (logPane.follow ? 0 : logPane.top)
        let caseless = logPane.searchQuery.lowercased() == logPane.searchQuery
        for k in 0..<log.count {
            let offset = fromCurrent && logPane.searchLine == nil ? k : k + 1
            let i = ((start + (forward ? offset : -offset)) % log.count + log.count) % log.count
            let text = log[i].text
            if caseless ? text.lowercased().contains(logPane.searchQuery) : text.contains(logPane.searchQuery) {
                logPane.searchLine = i
                logPane.follow = false
                logPane.top = max(0, min(i - rows / 2, log.count - rows))
                status = StatusMessage(text: "line \(i + 1) of \(log.count)", role: .dim)
                return
            }
        }
        logPane.searchLine = nil
        status = StatusMessage(text: "not found: \(logPane.searchQuery) (searched \(log.count) retained lines)", role: .warning)
    }
}
