import Dispatch
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner
import MetaJobScreen
import MetaJobTerminal

/// The dashboard while it is open: the app model, the terminal driver and the run being shown, all owned by
/// the driver's UI queue. Messages come in (keys, resizes, run events, answers), effects go out.
final class DashboardLoop: @unchecked Sendable {
    private let driver = TerminalDriver()
    private var ui: DispatchQueue { driver.queue }
    private let session: DashboardSession
    private let mode: Dashboard.Mode
    /// Where runs started here are recorded (nil with --no-history).
    private let recordStore: HistoryStore?
    /// History reads (browser, past runs, logs) happen here, never on the UI queue.
    private let historyQueue = DispatchQueue(label: "metajob.dashboard.history")
    /// The store the browser reads; owned by `historyQueue`, opened on first use.
    private var browseStore: HistoryStore?
    private let done = DispatchSemaphore(value: 0)
    private var signals: SignalForwarder?

    // MARK: UI-queue state
    private var model: Dashboard
    private var run: PreparedRun?
    private var feed: DashboardFeed?
    /// The shown run's phase as its events tell it (a retry can reopen a finished run).
    private var runActive = false
    private var quitting = false
    /// Quit without stopping: wait until no job holds a slot, then stop the rest.
    private var draining = false
    private var terminalOpen = false
    private var finished = false
    private var signalReceived: Int32 = 0
    private var ticker: DispatchSourceTimer?
    /// Re-reads a past run that is still going in another process, so the browser shows it live.
    private var refresher: DispatchSourceTimer?
    private var refreshing: String?

    init(mode: Dashboard.Mode, themes: [Theme], session: DashboardSession, store: HistoryStore?) {
        self.mode = mode
        self.session = session
        self.recordStore = store
        self.browseStore = store
        let utf8 = TerminalDriver.localeIsUTF8()
        model = Dashboard(mode: mode, themes: themes, ascii: !utf8, exitWhenDone: session.dashboard.exitWhenDone)
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
    func startLive(_ prepared: PreparedRun) {
        ui.async { self.show(prepared) }
    }

    /// Shows the history browser.
    func startBrowser() {
        ui.async {
            // The browser opens on the list of past runs.
            self.perform(.loadHistory)
            self.redraw()
        }
    }

    /// Waits until the user quits (or a signal ends the session), prints the shown run's summary with the
    /// terminal restored, and returns the exit code.
    func waitAndFinish() -> CLIExit {
        done.wait()
        let (run, signal) = ui.sync { (self.run, self.signalReceived) }
        signals = nil
        guard let run else {
            return signal == 0 ? .succeeded : .stopped(by: signal)
        }
        if let warning = run.closeRecording() { CLIOutput.stderr(warning) }
        CLIOutput.stdout(SummaryTable.render(run.runner.snapshot(), elapsed: run.elapsed))
        return run.exitCode(signal: signal)
    }

    // MARK: - Messages and effects (UI queue)

    private func deliver(_ messages: [DashboardMessage]) {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !finished else { return }
        for message in messages {
            if case .events(let events) = message { track(events) }
            guard terminalOpen else { continue }
            for effect in model.update(message) { perform(effect) }
        }
        if draining { stopWhenIdle() }
        redraw()
    }

    private func track(_ events: [RunEvent]) {
        for event in events {
            switch event.kind {
            case .runStarted, .runReopened: runActive = true
            case .runFinished: runActive = false
            default: break
            }
        }
    }

    private func redraw() {
        dispatchPrecondition(condition: .onQueue(ui))
        guard terminalOpen else { return }
        driver.draw(model.render(), theme: model.theme)
        updateTicks()
    }

    private func perform(_ effect: DashboardEffect) {
        dispatchPrecondition(condition: .onQueue(ui))
        switch effect {
        case .send(let command):
            if let run { run.runner.send(command) } else { deliver([.failed("no run is going: open a past run and press r to resume it")]) }
        case .quit(let stopRunning):
            quit(stopRunning: stopRunning)
        case .loadHistory:
            readHistory { store in .historyRuns(try store.listRuns(limit: 500)) }
        case .openPastRun(let runId):
            readHistory { store in .pastRun(try store.run(runId)) }
        case let .loadLogs(runId, job, attempt):
            readHistory { store in
                .pastLogs(runId: runId, job: job, attempt: attempt, lines: try store.logs(runId: runId, job: job, attempt: attempt))
            }
        case .resume(let runId):
            resume(runId)
        }
    }

    /// Runs a history query on the history queue and answers with its message (or `.failed`).
    private func readHistory(_ query: @escaping @Sendable (HistoryStore) throws -> DashboardMessage) {
        let path = session.history.path(session.environment)
        historyQueue.async { [self] in
            let answer: DashboardMessage
            do {
                if browseStore == nil { browseStore = try HistoryStore(path: path) }
                answer = try query(browseStore!)
            } catch let error as HistoryError {
                answer = .failed("\(error)")
            } catch {
                answer = .failed("reading the run history at \(path) failed: \(error)")
            }
            ui.async { self.deliver([answer]) }
        }
    }

    /// Starts a run resuming `runId`, shown live in place of the browser (or of a finished run).
    private func resume(_ runId: String) {
        guard !runActive else {
            deliver([.failed("a run is still going here: wait for it to end (or quit) before resuming another")])
            return
        }
        let path = session.history.path(session.environment)
        historyQueue.async { [self] in
            let source: Result<RunSource, ResumeSource.Problem>
            do {
                if browseStore == nil { browseStore = try HistoryStore(path: path) }
                source = .success(try ResumeSource.make(store: browseStore!, runID: runId, jobs: []))
            } catch let problem as ResumeSource.Problem {
                source = .failure(problem)
            } catch {
                source = .failure(.init(message: "cannot open the run history at \(path): \(error)"))
            }
            ui.async { self.startResumed(source) }
        }
    }

    private func startResumed(_ source: Result<RunSource, ResumeSource.Problem>) {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !finished, !quitting else { return }
        switch source {
        case .failure(let problem):
            deliver([.failed(problem.message)])
        case .success(let source):
            guard !runActive else { return }
            do {
                let prepared = try PreparedRun(source: source, options: session.options, environment: session.environment,
                                               store: session.options.noHistory ? nil : (recordStore ?? browseStoreForRecording()))
                if let previous = run, let warning = previous.closeRecording() { deliver([.failed(warning)]) }
                show(prepared)
            } catch {
                deliver([.failed(error.text.trimmingCharacters(in: .whitespacesAndNewlines))])
            }
        }
    }

    /// The browser's store, for recording a run resumed from it (opened on the history queue when needed).
    private func browseStoreForRecording() -> HistoryStore? {
        historyQueue.sync { browseStore }
    }

    /// Subscribes to `prepared` (its snapshot becomes the live view) and starts it.
    private func show(_ prepared: PreparedRun) {
        dispatchPrecondition(condition: .onQueue(ui))
        feed?.close()
        if let old = feed, let oldRun = run { oldRun.runner.unsubscribe(old) }
        let feed = DashboardFeed(ui: ui) { [weak self] messages in self?.deliver(messages) }
        self.feed = feed
        run = prepared
        runActive = true
        prepared.runner.subscribe(feed)
        let warnings = prepared.warnings.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if !warnings.isEmpty { deliver(warnings.map { .failed($0) }) }
        let id = ObjectIdentifier(prepared)
        prepared.runner.onFinish { [weak self] _ in
            guard let self else { return }
            self.ui.async {
                guard let shown = self.run, ObjectIdentifier(shown) == id else { return }
                self.runEnded()
            }
        }
        prepared.start()
        updateTicks()
    }

    private func runEnded() {
        dispatchPrecondition(condition: .onQueue(ui))
        // `--exit-when-done` is the model's call (it quits once it has drawn the final state).
        if quitting { finish() }
    }

    // MARK: - Quitting

    private func quit(stopRunning: Bool) {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !quitting else { return }
        guard let run, isRunning(run) else {
            finish()
            return
        }
        quitting = true
        closeTerminal()
        if stopRunning || session.options.onFailure.policy == .cancel {
            CLIOutput.stderr("Stopping the running jobs (SIGTERM, then SIGKILL after the grace period)…\n")
            run.runner.send(.stop(immediate: false))
        } else {
            CLIOutput.stderr("Waiting for the running jobs to end; no new job starts. Ctrl-C stops them.\n")
            run.runner.send(.pause)
            draining = true
            stopWhenIdle()
        }
    }

    /// While draining: once no job holds a slot, stop the run (the jobs that never started end not_run).
    private func stopWhenIdle() {
        guard draining, let run else { return }
        if !run.runner.snapshot().state.jobs.contains(where: { $0.state.holdsSlot }) {
            draining = false
            run.runner.send(.stop(immediate: false))
        }
    }

    private func isRunning(_ run: PreparedRun) -> Bool {
        if case .finished = run.runner.snapshot().state.phase { return false }
        return true
    }

    private func signal(_ sig: Int32, immediate: Bool) {
        dispatchPrecondition(condition: .onQueue(ui))
        if signalReceived == 0 { signalReceived = sig }
        guard let run, isRunning(run) else {
            finish()
            return
        }
        // As headless: stop the run (the second signal skips the grace period); leave once it has ended.
        quitting = true
        draining = false
        run.runner.send(.stop(immediate: immediate))
    }

    private func finish() {
        dispatchPrecondition(condition: .onQueue(ui))
        guard !finished else { return }
        finished = true
        feed?.close()
        closeTerminal()
        done.signal()
    }

    private func closeTerminal() {
        ticker?.cancel()
        ticker = nil
        refresher?.cancel()
        refresher = nil
        guard terminalOpen else { return }
        terminalOpen = false
        driver.stop()
    }

    // MARK: - Ticks

    /// A 1 Hz tick while the model shows something that moves with time; none otherwise (idle means no CPU).
    private func updateTicks() {
        dispatchPrecondition(condition: .onQueue(ui))
        let wanted = terminalOpen && model.wantsTicks
        if wanted, ticker == nil {
            let timer = DispatchSource.makeTimerSource(queue: ui)
            timer.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(50))
            timer.setEventHandler { [unowned self] in self.deliver([.tick(now: Date().timeIntervalSince1970)]) }
            timer.resume()
            ticker = timer
        } else if !wanted, let timer = ticker {
            timer.cancel()
            ticker = nil
        }
        updateRefresh()
    }

    /// Every 2 s while the model shows a past run that another process is still running: read it again.
    private func updateRefresh() {
        dispatchPrecondition(condition: .onQueue(ui))
        let wanted = terminalOpen ? model.pastRunToRefresh : nil
        guard wanted != refreshing else { return }
        refresher?.cancel()
        refresher = nil
        refreshing = wanted
        guard let runId = wanted else { return }
        let timer = DispatchSource.makeTimerSource(queue: ui)
        timer.schedule(deadline: .now() + 2, repeating: 2, leeway: .milliseconds(200))
        timer.setEventHandler { [unowned self] in
            self.readHistory { store in .pastRun(try store.run(runId)) }
        }
        timer.resume()
        refresher = timer
    }
}
