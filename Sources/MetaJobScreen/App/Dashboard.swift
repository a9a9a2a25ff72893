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

    let themes: [Theme]
    var themeIndex = 0
    let glyphs: GlyphSet
    let exitWhenDone: Bool
    /// The run lives in another process (`metajob attach`): `q` detaches at once, the run goes on.
    public var detachOnQuit = false
    /// The run was started here in a background copy of metajob: quitting while it goes also offers `d`, detach.
    public var offersDetach = false
    let mode: Mode

    // The live run (reached through the session's run connection) and the past run opened from the browser.
    var live: RunView?
    var liveOrigin = 0.0
    var liveLogs = LogStore()
    /// Expected durations and the simulated rest of the live run.
    var foresight = LiveForesight()
    var past: RunView?
    var pastLogs = LogStore()
    var requestedLogs = Set<LogKey>()
    /// The run screen shows `past` rather than `live`.
    var showingPast = false
    var quitSent = false

    /// The left pane's layouts of the shown run.
    var graphPane = GraphPane()
    /// The logs pane's scroll, search and options.
    var logPane = LogPane()
    /// The history browser's list.
    var browser = RunBrowser()
    /// The past run set beside the run before it (`C`).
    var comparisonPane = ComparisonPane()

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

    /// The logs pane follows the newest line (`f`).
    public var follow: Bool { logPane.follow }
    /// Long log lines wrap (`w`).
    public var wrap: Bool { logPane.wrap }
    /// The attempt whose log is shown (`a`); nil: the latest.
    public var viewedAttempt: Int? { logPane.viewedAttempt }

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

    /// The live run's jobs whose output is on screen now (the selected job while the live run is shown): the
    /// session tells the run, so a remote job's log lines arrive while it runs instead of only at its end.
    public var watchedLiveJobs: Set<Int> {
        guard screen == .run, !showingPast, let run = live, run.graph.count > selectedJob else { return [] }
        return [selectedJob]
    }

    /// The live run as its snapshot and events have told it so far; nil before its snapshot arrived.
    public var liveStatus: LiveRunStatus? {
        live.map { LiveRunStatus(runId: $0.runId, isGoing: $0.isRunning, slotsUsed: $0.slotsUsed) }
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
            refreshForesight()
            return []
        case .key(let key):
            return handle(key)
        case .live(let snapshot):
            return openLive(snapshot)
        case .events(let events):
            let effects = apply(events)
            refreshForesight()
            return effects
        case let .estimates(runId, byJob):
            return applyEstimates(runId: runId, byJob)
        case let .logLinesSkipped(job, attempt, count):
            liveLogs.skip(job: job, attempt: attempt, count: count)
            return []
        case .historyRuns(let list):
            browser.runs = list.sorted { $0.startedAt > $1.startedAt }
            browser.rebuildRows()
            return []
        case let .pastRun(detail, dependsOn):
            return openPast(detail, dependsOn: dependsOn)
        case let .pastLogs(runId, job, attempt, lines):
            guard let run = past, run.runId == runId, let j = run.graph.index[job] else { return [] }
            pastLogs.replace(job: j, attempt: attempt, lines: lines.map { ($0.bytes, $0.stream == .stderr) })
            return []
        case let .comparison(runId, comparison):
            comparisonAnswered(runId: runId, comparison)
            return []
        case let .logSaved(path, bytes):
            logSaved(path: path, bytes: bytes)
            return []
        case .failed(let text):
            status = StatusMessage(text: ScreenText.label(text), role: .error)
            return []
        }
    }

    // MARK: - The live run

    private mutating func openLive(_ snapshot: RunSnapshot) -> [DashboardEffect] {
        let outline = snapshot.outline
        let jobs = snapshot.jobs.indices.map { j -> JobView in
            var view = JobView(name: ScreenText.label(outline.jobs[j].name))
            view.team = outline.jobs[j].team.map(ScreenText.label)
            view.retries = outline.jobs[j].retries
            view.failDagOnError = outline.jobs[j].failDagOnError
            view.progress = snapshot.jobs[j]
            view.attempts = snapshot.jobs[j].spans.map { span in
                AttemptRecord(attempt: span.attempt, start: span.start, end: span.end, state: span.end == nil ? nil : span.state)
            }
            if let last = view.attempts.indices.last, view.attempts[last].end != nil {
                view.attempts[last].exitCode = snapshot.jobs[j].exitCode
                view.attempts[last].reason = snapshot.jobs[j].reason
            }
            return view
        }
        var run = RunView(runId: outline.runId, metaJobName: ScreenText.label(outline.metaJobName),
                          startedBy: ScreenText.label(outline.startedBy), graph: outline.graph, jobs: jobs,
                          startTime: snapshot.wallClockOrigin)
        if case .finished(let outcome) = snapshot.phase { run.outcome = outcome.rawValue; run.endTime = snapshot.wallClockOrigin }
        run.paused = snapshot.paused
        run.limit = snapshot.limit
        let sameRun = live?.runId == run.runId
        live = run
        liveOrigin = snapshot.wallClockOrigin
        if sameRun {
            // A fresh snapshot of the run already on screen (a client in another process that fell behind was
            // resynchronised): the states catch up, the view stays as the user left it — selection, panes,
            // wrap, overlay, the lines already shown. Lines dropped meanwhile are in the history.
            now = max(now, snapshot.wallClockOrigin)
            refreshForesight()
            if exitWhenDone && !run.isRunning && !quitSent { quitSent = true; return [.quit(stopRunning: false)] }
            return []
        }
        liveLogs.removeAll()
        now = max(now, snapshot.wallClockOrigin)
        showingPast = false
        screen = .run
        overlay = nil
        resetRunView()
        foresight = LiveForesight()
        if exitWhenDone && !run.isRunning && !quitSent { quitSent = true; return [.quit(stopRunning: false)] }
        return [.loadEstimates(runId: outline.runId, metaJob: outline.metaJobName, jobs: outline.jobs.map(\.name))]
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
                if run.jobs.indices.contains(update.job) {
                    let old = run.jobs[update.job].state
                    // What the simulation starts from changed: a job started, ended or was retried.
                    if old.isFinal != update.state.isFinal || old.holdsSlot != update.state.holdsSlot { foresight.dirty = true }
                }
                run.apply(update, time: event.time, origin: liveOrigin)
            case let .log(job, attempt, stream, lines):
                liveLogs.append(job: job, attempt: attempt, stderr: stream == .stderr, lines: lines)
            case let .controls(paused, limit):
                run.paused = paused
                run.limit = limit
                foresight.dirty = true
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

    private mutating func openPast(_ detail: RunDetail, dependsOn: [[String]]?) -> [DashboardEffect] {
        let names = detail.jobs.map(\.name)
        let edges = dependsOn.flatMap { $0.count == names.count ? $0 : nil } ?? names.map { _ in [] }
        let graph = JobGraph(names: names, dependsOn: edges)
        let jobs = detail.jobs.map { history -> JobView in
            var view = JobView(name: ScreenText.label(history.name))
            view.team = history.team.map(ScreenText.label)
            view.progress = JobProgress(history: history)
            view.attempts = [AttemptRecord](history: history)
            return view
        }
        var run = RunView(runId: detail.summary.runId, metaJobName: ScreenText.label(detail.summary.metaJob),
                          startedBy: ScreenText.label(detail.startedBy), graph: graph, jobs: jobs,
                          startTime: detail.summary.startedAt)
        run.isPast = true
        run.outcome = detail.summary.state == .running ? nil : ScreenText.label(detail.summary.state.rawValue)
        run.endTime = detail.summary.endedAt
        let refresh = past?.runId == run.runId && showingPast && screen == .run
        let ended = refresh && past?.isRunning == true && !run.isRunning
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
        if !refresh || ended { return logRequest() + comparisonRequest(openWhenAnswered: !refresh) }
        return logRequest()
    }

    /// Asks for the selected attempt's stored log when a past run shows one not loaded yet.
    mutating func logRequest() -> [DashboardEffect] {
        guard showingPast, let run = past, run.jobs.indices.contains(selectedJob) else { return [] }
        let attempt = logPane.viewedAttempt ?? run.jobs[selectedJob].attempt
        guard attempt >= 1 else { return [] }
        let key = LogKey(job: selectedJob, attempt: attempt)
        guard requestedLogs.insert(key).inserted else { return [] }
        return [.loadLogs(runId: run.runId, job: run.graph.names[selectedJob], attempt: attempt)]
    }

    /// A run was put on screen: lay it out, select its first job, reset panes.
    mutating func resetRunView() {
        guard let run = shownRun else { return }
        graphPane = GraphPane(jobList: JobList(graph: run.graph, names: run.jobs.map(\.name), filter: ""))
        selectedJob = graphPane.jobList.jobs.first ?? 0
        focus = .graph
        graphMode = .list
        if run.graph.count <= 200 { _ = showDag() }
        logPane = LogPane()
        updateNeighbours()
    }

    /// Switches the left pane to the DAG, laying it out the first time; false (and a message) when too big.
    mutating func showDag() -> Bool {
        guard let run = shownRun else { return false }
        guard run.graph.count <= DagLayout.maxJobs else {
            status = StatusMessage(text: "\(run.graph.count) jobs are too many to draw as a graph; the list (l) and timeline (t) show them all", role: .warning)
            return false
        }
        if !graphPane.layoutReady {
            graphPane.layout = DagLayout(run.graph)
            graphPane.layoutReady = true
        }
        graphMode = .dag
        return true
    }

    /// Upstream and downstream of the selection, highlighted in the DAG (recomputed on selection change only).
    mutating func updateNeighbours() {
        graphPane.upstream = []
        graphPane.downstream = []
        graphPane.upstreamJobs = []
        graphPane.downstreamJobs = []
        guard let run = shownRun, run.graph.count > selectedJob else { return }
        graphPane.upstream = [Bool](repeating: false, count: run.graph.count)
        graphPane.downstream = graphPane.upstream
        graphPane.upstreamJobs = run.graph.upstream(of: selectedJob)
        graphPane.downstreamJobs = run.graph.downstream(of: [selectedJob])
        for j in graphPane.upstreamJobs { graphPane.upstream[j] = true }
        for j in graphPane.downstreamJobs { graphPane.downstream[j] = true }
    }

}
