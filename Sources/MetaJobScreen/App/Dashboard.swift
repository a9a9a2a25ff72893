import MetaJobCore

/// The dashboard's whole state (the app model): which view, what is selected, scroll positions, the run.
///
/// Pure: `update` takes a message and returns effects for the session to perform; `render` draws the whole
/// frame into a cell buffer. No terminal, clock or thread inside, so tests drive it key by key.
/// Work per event is O(1) per job update and O(bytes) per log line; layouts are rebuilt only when the graph
/// or a filter changes, so `render` costs O(visible cells).
public struct Dashboard: Sendable {
    /// How the dashboard was opened.
    public enum Mode: Sendable, Equatable {
        /// Watching a live run (`run`, `demo`, `resume`).
        case live
        /// The history browser (`metajob browse`).
        case browser
    }

    /// The newest lines and bytes of an attempt's output the live screen keeps (older ones are only in the
    /// history); a session may drop lines beyond these before delivering them.
    public static let keptLogLinesPerAttempt = 20_000
    public static let keptLogBytesPerAttempt = 8 << 20

    /// The smallest terminal the layout draws in; below it the frame says so.
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    /// The theme the frame is drawn with (`T` cycles through `themes`).
    public internal(set) var theme: Theme
    /// The terminal's size as last reported.
    public private(set) var width = 80
    public private(set) var height = 24
    /// The screen that is up.
    public internal(set) var screen: Screen
    /// The focused pane of the run layout.
    public internal(set) var focus: Pane = .graph
    /// What the left pane shows.
    public internal(set) var graphMode: GraphMode = .dag
    /// The overlay taking keys, if any.
    public internal(set) var overlay: Overlay?
    /// The selected job (index in the shown run).
    public internal(set) var selectedJob = 0
    /// The logs pane follows the newest line (`f`).
    public internal(set) var follow = true
    /// Long log lines wrap (`w`).
    public internal(set) var wrap = false
    /// The attempt whose log is shown (`a`); nil: the latest.
    public internal(set) var viewedAttempt: Int?

    let themes: [Theme]
    var themeIndex = 0
    let glyphs: GlyphSet
    let exitWhenDone: Bool
    let mode: Mode

    // The live run (this process) and the past run opened from the browser.
    var live: RunView?
    var liveOrigin = 0.0
    var liveLogs = LogStore()
    var past: RunView?
    var pastLogs = LogStore()
    var requestedLogs = Set<LogKey>()
    /// The run screen shows `past` rather than `live`.
    var showingPast = false
    var quitSent = false

    // Layouts of the shown run, rebuilt when it or the filter changes.
    var layout = DagLayout()
    /// `layout` belongs to the shown run (built when the DAG is first shown, not for every run opened).
    var layoutReady = false
    var jobList = JobList()
    var listFilter = ""
    var upstream: [Bool] = []
    var downstream: [Bool] = []
    /// The same as lists, so a frame touches only the selection's neighbourhood.
    var upstreamJobs: [Int] = []
    var downstreamJobs: [Int] = []

    // Logs pane.
    var logTop = 0
    var searchQuery = ""
    var searchLine: Int?

    // History browser.
    var runs: [RunSummary] = []
    var runRows: [Int] = []
    var runFilter = ""
    var selectedRun = 0
    var historyRequested = false

    var status: StatusMessage?
    var now = 0.0

    /// - Parameters:
    ///   - themes: the themes `T` cycles through; the first is the starting one.
    ///   - ascii: draw with ASCII only (the locale is not UTF-8).
    ///   - exitWhenDone: `--exit-when-done`: quit when the run ends instead of staying on the final state.
    public init(mode: Mode, themes: [Theme], ascii: Bool, exitWhenDone: Bool = false) {
        precondition(!themes.isEmpty, "at least one theme")
        self.themes = themes
        self.theme = themes[0]
        self.glyphs = ascii ? .ascii : .unicode
        self.exitWhenDone = exitWhenDone
        self.mode = mode
        self.screen = mode == .live ? .run : .browser
    }

    /// True while something on screen moves with time (a running job's duration, a delay countdown, a live
    /// run's elapsed time): the driver ticks at 1 Hz only then, and idles otherwise.
    public var wantsTicks: Bool {
        guard screen == .run, let run = shownRun else { return false }
        return run.isRunning
    }

    /// The id of the past run on screen while it is still going in another process: the session re-sends
    /// `.pastRun` for it every second or two so it shows live; nil otherwise.
    public var pastRunToRefresh: String? {
        guard screen == .run, showingPast, let run = past, run.isRunning else { return nil }
        return run.runId
    }

    /// The run the layout shows.
    var shownRun: RunView? { showingPast ? past : live }
    var shownLogs: LogStore { showingPast ? pastLogs : liveLogs }

    /// Applies one message; returns what the session must do.
    public mutating func update(_ message: DashboardMessage) -> [DashboardEffect] {
        switch message {
        case .resize(let w, let h):
            width = max(0, w)
            height = max(0, h)
            return []
        case .tick(let time):
            now = max(now, time)
            return []
        case .key(let key):
            return handle(key)
        case .live(let snapshot):
            return openLive(snapshot)
        case .events(let events):
            return apply(events)
        case let .logLinesSkipped(job, attempt, count):
            liveLogs.skip(job: job, attempt: attempt, count: count)
            return []
        case .historyRuns(let list):
            runs = list.sorted { $0.startedAt > $1.startedAt }
            rebuildRunRows()
            return []
        case .pastRun(let detail):
            return openPast(detail)
        case let .pastLogs(runId, job, attempt, lines):
            guard let run = past, run.runId == runId, let j = run.graph.index[job] else { return [] }
            pastLogs.replace(job: j, attempt: attempt, lines: lines.map { ($0.bytes, $0.stream == .stderr) })
            return []
        case .failed(let text):
            status = StatusMessage(text: ScreenText.label(text), role: .error)
            return []
        }
    }

    // MARK: - The live run

    private mutating func openLive(_ snapshot: RunSnapshot) -> [DashboardEffect] {
        let state = snapshot.state
        let info = snapshot.info
        let jobs = state.jobs.enumerated().map { j, r -> JobView in
            var view = JobView(name: ScreenText.label(state.graph.names[j]))
            view.team = info.jobs.indices.contains(j) ? info.jobs[j].teamName.map(ScreenText.label) : nil
            view.retries = info.jobs.indices.contains(j) ? info.jobs[j].retries : 0
            view.state = r.state
            view.attempt = r.attempt
            view.maxAttempts = r.maxAttempts
            view.exitCode = r.exitCode
            view.reason = r.reason.map(ScreenText.label)
            view.executionId = r.executionId.map(ScreenText.label)
            view.startedAt = r.startedAt.map(snapshot.wallTime)
            view.endedAt = r.endedAt.map(snapshot.wallTime)
            view.delayReason = r.delayReason?.description
            view.readyAt = r.readyAt.map(snapshot.wallTime)
            view.reusedFrom = r.reusedFrom
            if let start = view.startedAt, r.attempt > 0 {
                view.spans = [AttemptSpan(attempt: r.attempt, start: start, end: view.endedAt, state: r.state)]
            }
            return view
        }
        var run = RunView(runId: info.runId, metaJobName: ScreenText.label(info.metaJobName),
                          startedBy: ScreenText.label(info.startedBy), graph: state.graph, jobs: jobs,
                          startTime: snapshot.wallClockOrigin)
        if case .finished(let outcome) = state.phase { run.outcome = outcome.rawValue; run.endTime = snapshot.wallClockOrigin }
        run.paused = state.paused
        run.limit = state.settings.maxConcurrentRunningJobs
        run.slotsUsed = state.slotsUsed
        live = run
        liveOrigin = snapshot.wallClockOrigin
        liveLogs.removeAll()
        now = max(now, snapshot.wallClockOrigin)
        showingPast = false
        screen = .run
        overlay = nil
        resetRunView()
        if exitWhenDone && !run.isRunning && !quitSent { quitSent = true; return [.quit(stopRunning: false)] }
        return []
    }

    private mutating func apply(_ events: [RunEvent]) -> [DashboardEffect] {
        guard var run = live else { return [] }
        live = nil  // Edit in place: no copy of the job array per event.
        var finished = false
        for event in events {
            now = max(now, event.time)
            switch event.kind {
            case .runStarted:
                run.startTime = event.time
            case .job(let update):
                run.apply(update, time: event.time, origin: liveOrigin)
            case let .log(job, attempt, stream, lines):
                liveLogs.append(job: job, attempt: attempt, stderr: stream == .stderr, lines: lines)
            case let .controls(paused, limit):
                run.paused = paused
                run.limit = limit
            case .runReopened:
                run.outcome = nil
                run.endTime = nil
            case .runFinished(let outcome):
                run.outcome = outcome.rawValue
                run.endTime = event.time
                finished = true
            }
        }
        live = run
        if finished && exitWhenDone && !quitSent && !run.isRunning {
            quitSent = true
            return [.quit(stopRunning: false)]
        }
        return []
    }

    // MARK: - A past run

    private mutating func openPast(_ detail: RunDetail) -> [DashboardEffect] {
        let names = detail.jobs.map(\.name)
        var graph = JobGraph(names: names, dependsOn: names.map { _ in [] })
        if case .success(let definition) = DefinitionLoader.load(bytes: detail.definitionText, path: detail.definitionPath),
           definition.jobs.map(\.name) == names {
            graph = JobGraph(definition)
        }
        let jobs = detail.jobs.map { history -> JobView in
            var view = JobView(name: ScreenText.label(history.name))
            view.team = history.team.map(ScreenText.label)
            view.state = JobState(rawValue: history.state) ?? .notRun
            view.attempt = history.attempts
            view.maxAttempts = max(1, history.attempts)
            view.exitCode = history.exitCode
            view.reason = history.reason.map(ScreenText.label)
            view.executionId = history.executionId.map(ScreenText.label)
            view.startedAt = history.startedAt
            view.endedAt = history.endedAt
            view.reusedFrom = history.reusedFrom.map(ScreenText.label)
            for event in history.events {
                let state = JobState(rawValue: event.state) ?? .notRun
                if state == .submitted || (state == .running && view.spans.last?.attempt != event.attempt) {
                    view.spans.append(AttemptSpan(attempt: event.attempt, start: event.time, end: nil, state: state))
                } else if let last = view.spans.indices.last, view.spans[last].end == nil {
                    if state == .running { view.spans[last].state = .running }
                    if state.isFinal { view.spans[last].end = event.time; view.spans[last].state = state }
                }
                if state == .delayed {
                    view.delayReason = event.delayReason
                    view.readyAt = event.readyAt
                }
            }
            return view
        }
        var run = RunView(runId: detail.summary.runId, metaJobName: ScreenText.label(detail.summary.metaJob),
                          startedBy: ScreenText.label(detail.startedBy), graph: graph, jobs: jobs,
                          startTime: detail.summary.startedAt)
        run.isPast = true
        run.outcome = detail.summary.state == .running ? nil : ScreenText.label(detail.summary.state.rawValue)
        run.endTime = detail.summary.endedAt
        let refresh = past?.runId == run.runId && showingPast && screen == .run
        past = run
        if !refresh {
            pastLogs.removeAll()
            requestedLogs.removeAll()
            showingPast = true
            screen = .run
            overlay = nil
            resetRunView()
        } else if selectedJob < run.jobs.count, !run.jobs[selectedJob].state.isFinal {
            // Still going in another process: fetch the selected log again.
            requestedLogs.removeAll()
        }
        return logRequest()
    }

    /// Asks for the selected attempt's stored log when a past run shows one not loaded yet.
    mutating func logRequest() -> [DashboardEffect] {
        guard showingPast, let run = past, run.jobs.indices.contains(selectedJob) else { return [] }
        let attempt = viewedAttempt ?? run.jobs[selectedJob].attempt
        guard attempt >= 1 else { return [] }
        let key = LogKey(job: selectedJob, attempt: attempt)
        guard requestedLogs.insert(key).inserted else { return [] }
        return [.loadLogs(runId: run.runId, job: run.graph.names[selectedJob], attempt: attempt)]
    }

    /// A run was put on screen: lay it out, select its first job, reset panes.
    mutating func resetRunView() {
        guard let run = shownRun else { return }
        layoutReady = false
        listFilter = ""
        jobList = JobList(graph: run.graph, names: run.jobs.map(\.name), filter: "")
        selectedJob = jobList.jobs.first ?? 0
        focus = .graph
        graphMode = .list
        if run.graph.count <= 200 { _ = showDag() }
        follow = true
        wrap = false
        viewedAttempt = nil
        logTop = 0
        searchQuery = ""
        searchLine = nil
        updateNeighbours()
    }

    /// Switches the left pane to the DAG, laying it out the first time; false (and a message) when too big.
    mutating func showDag() -> Bool {
        guard let run = shownRun else { return false }
        guard run.graph.count <= DagLayout.maxJobs else {
            status = StatusMessage(text: "\(run.graph.count) jobs are too many to draw as a graph; the list (l) and timeline (t) show them all", role: .warning)
            return false
        }
        if !layoutReady {
            layout = DagLayout(run.graph)
            layoutReady = true
        }
        graphMode = .dag
        return true
    }

    /// Upstream and downstream of the selection, highlighted in the DAG (recomputed on selection change only).
    mutating func updateNeighbours() {
        upstream = []
        downstream = []
        upstreamJobs = []
        downstreamJobs = []
        guard let run = shownRun, run.graph.count > selectedJob else { return }
        upstream = [Bool](repeating: false, count: run.graph.count)
        downstream = upstream
        upstreamJobs = run.graph.upstream(of: selectedJob)
        downstreamJobs = run.graph.downstream(of: [selectedJob])
        for j in upstreamJobs { upstream[j] = true }
        for j in downstreamJobs { downstream[j] = true }
    }

    mutating func rebuildRunRows() {
        let needle = runFilter.lowercased()
        runRows = runs.indices.filter { i in
            needle.isEmpty || runs[i].metaJob.lowercased().contains(needle) || runs[i].state.rawValue == needle
                || runs[i].state.rawValue.hasPrefix(needle)
        }
        selectedRun = min(selectedRun, max(0, runRows.count - 1))
    }
}
