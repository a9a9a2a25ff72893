import Dispatch
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner
import MetaJobScreen
import MetaJobTerminal

/// The dashboard while it is open: a translator between the terminal (keys, resizes, frames), the app model
/// (`Dashboard`: messages in, effects out) and the run (a `RunConnection`: events in, commands out). All of it
/// is owned by the driver's UI queue. Whether the run is going comes from its events (through the model);
/// when to leave is `QuitPolicy`'s call; history reads happen on `HistoryReader`'s queue.
final class DashboardLoop: @unchecked Sendable {
    private let driver = TerminalDriver()
    private var ui: DispatchQueue { driver.queue }
    private let session: DashboardSession
    /// Where runs started here are recorded (nil with --no-history).
    private let recordStore: HistoryStore?
    private let history: HistoryReader
    private let done = DispatchSemaphore(value: 0)
    private var signals: SignalForwarder?

    // MARK: UI-queue state
    private var model: Dashboard
    private var policy: QuitPolicy
    private var run: ShownRun?
    private var feed: DashboardFeed?
    private var terminalOpen = false
    private var finished = false
    private var timers: DashboardTimers!
    /// What the shown run was last told is being watched (nil: nothing told yet).
    private var watched: Set<Int>?

    /// `attached`: the runs shown live are in another process (`metajob attach`): quitting detaches.
    init(mode: Dashboard.Mode, themes: [Theme], session: DashboardSession, store: HistoryStore?, attached: Bool = false) {
        self.session = session
        self.recordStore = store
        self.history = HistoryReader(path: session.history.path(session.environment), store: store)
        model = Dashboard(mode: mode, themes: themes, ascii: !TerminalDriver.localeIsUTF8(),
                          exitWhenDone: session.dashboard.exitWhenDone)
        model.detachOnQuit = attached
        policy = QuitPolicy(cancelOnQuit: session.options.onFailure.policy == .cancel, detachOnQuit: attached)
        timers = DashboardTimers(queue: ui) { [unowned self] messages in self.deliver(messages) }
    }

    // MARK: - Lifecycle (main thread)

    /// Takes over the terminal and starts handling SIGINT/SIGTERM.
    func open() throws(DashboardSession.Problem) {
        let result: Result<(width: Int, height: Int), TerminalDriver.StartError> = ui.sync {
            do throws(TerminalDriver.StartError) {
                return .success(try driver.start(
                    onKey: { [unowned self] key in self.deliver([.key(key)]) },
                    onResize: { [unowned self] w, h in self.deliver([.resize(width: w, height: h)]) },
                    onHangUp: { [unowned self] in self.signal(SIGHUP, immediate: false) }))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .failure(let error): throw DashboardSession.Problem(message: error.description)
        case .success(let size):
            ui.sync {
                terminalOpen = true
                deliver([.resize(width: size.width, height: size.height)])
            }
        }
        signals = SignalForwarder { [weak self] sig, immediate in
            guard let self else { return }
            self.ui.async { self.signal(sig, immediate: immediate) }
        }
    }

    /// Gives the terminal back without having run anything.
    func close() {
        ui.sync {
            finished = true
            closeTerminal()
        }
    }

    /// Shows `prepared` and starts it.
    func startLive(_ prepared: ShownRun) {
        ui.async { self.show(prepared) }
    }

    /// Shows `text` on the status line as a warning.
    func warn(_ text: String) {
        ui.async { self.deliver([.failed(text)]) }
    }

    /// Shows a past run from the history (read-only), with `note` on the status line.
    func startPast(runId: String, note: String) {
        ui.async {
            self.perform(.openPastRun(runId: runId))
            self.deliver([.failed(note)])
        }
    }

    /// Shows the history browser.
    func startBrowser() {
        ui.async {
            // The browser opens on the list of past runs.
            self.perform(.loadHistory)
            self.deliver([])
        }
    }

    /// Waits until the user quits (or a signal ends the session), prints the shown run's summary with the
    /// terminal restored, and returns the exit code.
    func waitAndFinish() -> CLIExit {
        done.wait()
        let (run, signal) = ui.sync { (self.run, self.policy.signal) }
        signals = nil
        guard let run else {
            return signal == 0 ? .succeeded : .stopped(by: signal)
        }
        if run.isAttached {
            let going = run.finalSnapshot().isGoing
            _ = run.closeRecording()
            CLIOutput.stdout(going ? "Detached from run \(run.runId); it goes on. `metajob attach \(run.runId)` watches it again.\n"
                                   : "Run \(run.runId) has ended; `metajob history show \(run.runId)` shows how.\n")
            return .succeeded
        }
        if ui.sync(execute: { policy.detached }) {
            CLIOutput.stdout("""
                Detached from run \(run.runId); it goes on in the background.
                  watch it:    metajob attach \(run.runId)
                  control it:  metajob retry|cancel|pause|unpause|stop \(run.runId)

                """)
            return .succeeded
        }
        if let warning = run.closeRecording() { CLIOutput.stderr(warning) }
        CLIOutput.stdout(SummaryTable.render(run.finalSnapshot(), elapsed: run.elapsed))
        let code = run.exitCode(signal: signal)
        // After the terminal was given back: a slow hook does not hold the dashboard.
        CLIOutput.stderr(run.notify(exitCode: code))
        return code
    }

    // MARK: - Messages and effects (UI queue)

    /// Hands messages to the model (also after the terminal was given back: the run's events still decide
    /// when to leave), performs its effects, then lets the quit policy look at the run.
    private func deliver(_ messages: [DashboardMessage]) {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !finished else { return }
        for message in messages {
            for effect in model.update(message) { perform(effect) }
        }
        apply(policy.runChanged(shownStatus))
        tellWatched(terminalOpen ? model.watchedLiveJobs : [])
        guard terminalOpen else { return }
        driver.draw(model.render(), theme: model.theme)
        timers.update(ticks: model.wantsTicks, refresh: model.pastRunToRefresh) { [unowned self] runId in
            self.perform(.openPastRun(runId: runId))
        }
    }

    /// Tells the shown run which of its jobs are on screen, when that changed.
    private func tellWatched(_ jobs: Set<Int>) {
        guard let run, jobs != watched else { return }
        watched = jobs
        run.connection.setWatched(jobs: jobs)
    }

    /// The shown run's status; a run whose snapshot has not arrived yet counts as going with jobs in flight.
    private var shownStatus: LiveRunStatus? {
        guard let run else { return nil }
        if let status = model.liveStatus, status.runId == run.runId { return status }
        return LiveRunStatus(runId: run.runId, isGoing: true, slotsUsed: 1)
    }

    private func perform(_ effect: DashboardEffect) {
        dispatchPrecondition(condition: .onQueue(ui))
        switch effect {
        case .send(let command):
            guard let connection = run?.connection else {
                return deliver([.failed("no run is going: open a past run and press r to resume it")])
            }
            connection.send(command) { [weak self] reply in
                guard case .refused(let why) = reply, let self else { return }
                self.ui.async { self.deliver([.failed(why)]) }
            }
        case .quit(let stopRunning):
            apply(policy.quit(stopRunning: stopRunning, run: shownStatus))
        case .detach:
            guard run?.canDetach == true else { return }
            apply(policy.detach(run: shownStatus))
        case .loadHistory:
            readHistory { store in .historyRuns(try store.listRuns(limit: 500)) }
        case .openPastRun(let runId):
            // A run live on this host opens attached (every key works) unless a run started here is still going.
            let mayAttach = shownStatus?.isGoing != true || run?.isAttached == true
            let shownId = run?.runId
            let ui = self.ui
            readHistory { [weak self] store in
                let detail = try store.run(runId)
                if mayAttach, detail.summary.runId != shownId, LiveRun.isLive(detail.summary),
                   let path = detail.summary.controlSocket, let client = try? ControlClient(path: path, client: "dashboard") {
                    let loop = self
                    ui.async { loop?.showAttached(client, startedAt: detail.summary.startedAt) }
                    return .failed("attached to live run \(detail.summary.runId): every key works; q detaches")
                }
                return .pastRun(detail, dependsOn: detail.storedDependencies())
            }
        case let .loadLogs(runId, job, attempt):
            readHistory { store in
                .pastLogs(runId: runId, job: job, attempt: attempt, lines: try store.logs(runId: runId, job: job, attempt: attempt))
            }
        case .loadComparison(let runId):
            readHistory { store in .comparison(runId: runId, try store.comparison(of: runId)) }
        case let .saveLog(runId, job, attempt, path):
            let shown = run
            readHistory { store in
                if let shown, shown.runId == runId { shown.flushRecording() }
                do {
                    let saved = try LogFileSaver.save(store: store, runId: runId, job: job, attempt: attempt, path: path)
                    return .logSaved(path: saved.path, bytes: saved.bytes)
                } catch let problem as LogFileSaver.Problem {
                    return .failed(problem.description)
                }
            }
        case .copyToClipboard(let text):
            driver.copyToClipboard(text)
        case let .loadEstimates(runId, metaJob, jobs):
            // --no-history leaves the history alone, reading included (opening it may create it).
            guard !session.options.noHistory else { return }
            readHistory { store in .estimates(runId: runId, byJob: try store.expectedDurations(metaJob: metaJob, jobs: jobs)) }
        case .resume(let runId):
            resume(runId)
        }
    }

    private func readHistory(_ query: @escaping @Sendable (HistoryStore) throws -> DashboardMessage) {
        history.read(query) { [weak self] answer in
            guard let self else { return }
            self.ui.async { self.deliver([answer]) }
        }
    }

    private func apply(_ actions: [QuitPolicy.Action]) {
        dispatchPrecondition(condition: .onQueue(ui))
        for action in actions {
            switch action {
            case .send(let command): run?.connection.send(command)
            case .closeTerminal: closeTerminal()
            case .say(let text): CLIOutput.stderr(text)
            case .detach: run?.detach()
            case .finish: finish()
            }
        }
    }

    private func signal(_ sig: Int32, immediate: Bool) {
        dispatchPrecondition(condition: .onQueue(ui))
        apply(policy.signal(sig, immediate: immediate, run: shownStatus))
    }

    // MARK: - The run shown

    /// Starts a run resuming `runId`, shown live in place of the browser (or of a finished run).
    private func resume(_ runId: String) {
        guard shownStatus?.isGoing != true else {
            return deliver([.failed("a run is still going here: wait for it to end (or quit) before resuming another")])
        }
        history.resumeSource(runId) { [weak self] source in
            guard let self else { return }
            self.ui.async { self.startResumed(source) }
        }
    }

    private func startResumed(_ source: Result<(RunSource, HistoryStore), ResumeSource.Problem>) {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !finished, !policy.quitting, shownStatus?.isGoing != true else { return }
        switch source {
        case .failure(let problem):
            deliver([.failed(problem.message)])
        case .success(let (source, browseStore)):
            do {
                let prepared = try PreparedRun(source: source, options: session.options, environment: session.environment,
                                               store: session.options.noHistory ? nil : (recordStore ?? browseStore))
                if let previous = run, let warning = previous.closeRecording() { deliver([.failed(warning)]) }
                show(prepared)
            } catch {
                deliver([.failed(error.text.trimmingCharacters(in: .whitespacesAndNewlines))])
            }
        }
    }

    /// Shows a run of another process live (opened from the browser); the run shown before is let go.
    private func showAttached(_ client: ControlClient, startedAt: Double) {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !finished, !policy.quitting, shownStatus?.isGoing != true || run?.isAttached == true else {
            client.close()
            return
        }
        if let previous = run, let warning = previous.closeRecording() { deliver([.failed(warning)]) }
        show(AttachedRun(client: client, startedAt: startedAt))
    }

    /// Subscribes to `prepared` (its snapshot becomes the live view) and starts it.
    private func show(_ prepared: ShownRun) {
        dispatchPrecondition(condition: .onQueue(ui))
        feed?.close()
        if let old = feed, let oldRun = run { oldRun.connection.unsubscribe(old) }
        let feed = DashboardFeed(ui: ui) { [weak self] messages in self?.deliver(messages) }
        self.feed = feed
        if let old = run { old.connection.setWatched(jobs: []) }
        run = prepared
        // A run of another process is only watched and steered from here: leaving detaches, never stops it.
        policy.detachOnQuit = prepared.isAttached
        model.detachOnQuit = prepared.isAttached
        model.offersDetach = prepared.canDetach
        watched = nil
        do {
            try prepared.connection.subscribe(feed)
        } catch {
            return deliver([.failed(error.message)])
        }
        let warnings = prepared.warnings.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if !warnings.isEmpty { deliver(warnings.map { .failed($0) }) }
        prepared.start()
    }

    // MARK: - Leaving

    private func finish() {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !finished else { return }
        finished = true
        feed?.close()
        closeTerminal()
        done.signal()
    }

    private func closeTerminal() {
        timers.stop()
        guard terminalOpen else { return }
        terminalOpen = false
        driver.stop()
    }
}
