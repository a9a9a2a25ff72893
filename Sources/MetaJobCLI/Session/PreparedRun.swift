import Dispatch
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner
import MetaJobScreen

/// A run set up and ready to start: settings resolved, jobs resolved, the runner built and the history recorder
/// subscribed. Headless and dashboard sessions both start runs through this, so they record runs the same way;
/// they watch and steer it only through `connection`.
final class PreparedRun: @unchecked Sendable {
    /// Why a run cannot be set up, worded for the user (printed as it is; may span lines).
    struct Problem: Error {
        var text: String
    }

    private let runner: Runner
    /// How sessions watch and steer the run (the in-process runner).
    var connection: RunConnection { runner }
    /// The run's id.
    var runId: String { runner.info.runId }
    /// How many jobs the run has (graph indices are 0 ..< jobCount).
    var jobCount: Int { runner.info.jobs.count }
    /// The run's executors (and the watchdog that stops local jobs if metajob is killed).
    private let executors: RunExecutors
    let clock: SystemClock
    let store: HistoryStore?
    private let recorder: HistoryRecorder?
    /// Serves the run connection on a Unix socket (`metajob attach`, the control verbs); nil when it cannot.
    private let control: ControlServer?
    private var controlWarnings: [String] = []
    private var startedMonotonic: Double = 0
    private let lock = NSLock()
    private var lastOutcome: RunOutcome = .cancelled
    /// Wall-clock start (seconds since 1970), for the notifications' report.
    private let startedAt: Double
    /// What to send when the run ends.
    private let notifier: Notifier

    /// Resolves `source` under `options` and `environment`; records into `store` unless it is nil.
    init(source: RunSource, options: RunOptions, environment: Environment, store: HistoryStore?) throws(Problem) {
        let definition = source.definition
        let configuration: ResolvedConfiguration
        do {
            configuration = try SettingsResolver.resolve(flags: options.flags, environment: environment, file: definition.settings)
        } catch {
            throw Problem(text: "error: " + TerminalSanitizer.sanitizeText(error.message) + "\n")
        }
        let notifications: NotificationSettings
        do {
            notifications = try NotificationResolver.resolve(options.notify, environment: environment,
                                                             file: definition.settings.notifications)
        } catch {
            throw Problem(text: "error: " + TerminalSanitizer.sanitizeText(error.message) + "\n")
        }
        let jobs: [ResolvedJob]
        switch JobResolver.resolve(definition, defaultExecutor: configuration.executor,
                                   localRunJobPath: configuration.localRunJobPath) {
        case .success(let resolved): jobs = resolved
        case .failure(let report):
            throw Problem(text: IssuePrinter.plain(report.issues, file: source.definitionPath ?? definition.name))
        }
        let remoteJobs = jobs.filter { $0.executor == .remote }.map(\.definition)
        var remote: RemoteConfiguration?
        do {
            remote = remoteJobs.isEmpty ? nil
                : try RemoteSettingsResolver.resolve(configuration, environment: environment, remoteJobs: remoteJobs,
                                                     adopt: source.adoptExecutions)
        } catch {
            throw Problem(text: "error: " + TerminalSanitizer.sanitizeText(error.message) + "\n")
        }
        // Status checks timed by what the jobs usually take; a history that cannot be read leaves the fixed interval.
        if remote != nil, let store {
            remote?.expectedDurations = (try? store.expectedDurations(metaJob: definition.name,
                                                                      jobs: remoteJobs.map(\.name))) ?? [:]
        }
        let executors = RunExecutors(jobs: jobs, remote: remote, baseEnvironment: environment.variables,
                                     graceSeconds: configuration.settings.terminationGraceSeconds)
        let clock = SystemClock()
        let startedAt = clock.wall()
        let info = RunInfo(runId: RunID.make(at: startedAt), metaJobName: definition.name,
                           startedBy: "\(options.executionType.rawValue)/\(definition.name)", jobs: definition.jobs)
        var reused: [Int: String] = [:]
        for (j, job) in definition.jobs.enumerated() {
            if let run = source.reused[job.name] { reused[j] = run }
        }
        let runner = Runner(info: info, jobs: jobs, settings: configuration.settings, reused: reused, clock: clock) { kind, queue, sink in
            executors.make(kind, queue: queue, sink: sink)
        }
        // Every run can be reached from another terminal; a run that cannot serve its socket still runs.
        var control: ControlServer?
        var controlWarnings: [String] = []
        let directory = ControlDirectory.path(environment: environment.variables)
        do {
            try ControlDirectory.prepare(directory)
            ControlDirectory.removeStale(in: directory)
            let names = definition.jobs.map(\.name)
            let runId = info.runId
            // Who steered the run from outside goes into its history (off the server's thread: a write may wait).
            control = try ControlServer(connection: runner, runId: runId, path: directory + "/" + runId + ".sock") { [store] request in
                guard let store else { return }
                let refused: String? = if case .refused(let why) = request.reply { why } else { nil }
                let stored = StoredRequest(time: Date().timeIntervalSince1970, client: request.client, user: request.user,
                                           command: request.command.text(jobNames: names), refused: refused)
                DispatchQueue.global().async { try? store.recordRequest(runId: runId, stored) }
            }
        } catch {
            controlWarnings.append("warning: this run cannot be attached or controlled from another terminal: "
                                   + TerminalSanitizer.sanitizeText(error.message) + "\n")
        }
        var recorder: HistoryRecorder?
        if let store {
            var newRun = NewRun(
                runId: info.runId, metaJob: definition.name, startedAt: startedAt, startedBy: info.startedBy,
                workingDirectory: FileManager.default.currentDirectoryPath, commandLine: CommandLine.arguments,
                definitionPath: source.definitionPath.map { JobResolver.absolute($0, relativeTo: FileManager.default.currentDirectoryPath) },
                definitionText: source.definitionText, settingsJSON: configuration.json, resumedFrom: source.resumedFrom,
                jobs: definition.jobs.map { NewRunJob(name: $0.name, team: $0.teamName, failDagOnError: $0.failDagOnError,
                                                      dependsOn: $0.dependsOn, reusedFrom: source.reused[$0.name]) })
            newRun.resumeAnyway = source.resumeAnyway
            newRun.controlSocket = control?.path
            do {
                recorder = try HistoryRecorder(store: store, run: newRun)
            } catch let error as HistoryError {
                // The resume lock and an unusable logs directory say themselves what to do.
                control?.close()
                executors.close()
                throw Problem(text: "error: " + TerminalSanitizer.sanitizeText("\(error)") + ".\n")
            } catch {
                control?.close()
                executors.close()
                throw Problem(text: "error: cannot record the run in \(store.path): \(error). Use --no-history to run without recording.\n")
            }
            runner.subscribe(recorder!)
            // `s` in a dashboard attached to this run saves what this recorder wrote: it asks for a flush first.
            control?.answerSync { [recorder] in recorder?.sync() }
        }
        self.runner = runner
        self.executors = executors
        self.clock = clock
        self.store = store
        self.recorder = recorder
        self.startedAt = startedAt
        // A VDK DAG job's config.ini `[contacts]` reach the hooks, so a mail hook can tell whom VDK would have told.
        let step = source.definitionPath.flatMap { $0.lowercased().hasSuffix(".py") ? $0 : nil }
        self.notifier = Notifier(settings: notifications, directory: definition.directory,
                                 baseEnvironment: environment.variables,
                                 vdkContacts: step.map { VDKDagJob(stepPath: $0).contacts } ?? [:])
        self.control = control
        self.controlWarnings = controlWarnings
        runner.onFinish { [weak self] outcome in
            guard let self else { return }
            self.lock.lock()
            self.lastOutcome = outcome
            self.lock.unlock()
        }
    }

    /// How the run's remote jobs reach the Control Service (with their expected durations); nil without remote jobs.
    var remoteConfiguration: RemoteConfiguration? { executors.remote }

    /// What to tell the user before the run starts (remote TLS settings, a watchdog that could not start).
    var warnings: [String] { (executors.remote.map(RemoteSettingsResolver.warnings) ?? []) + executors.warnings + controlWarnings }

    /// The socket the run is served on (nil when it could not be made).
    var controlSocket: String? { control?.path }

    /// Stops serving the run connection: attached clients are told the run's process is ending.
    func closeControl() {
        control?.close(reason: "the run ended and its process is exiting")
    }

    /// Starts the run.
    func start() {
        lock.lock()
        startedMonotonic = clock.monotonic()
        lock.unlock()
        runner.start()
    }

    /// Seconds since `start`.
    var elapsed: Double {
        lock.lock()
        defer { lock.unlock() }
        return clock.monotonic() - startedMonotonic
    }

    /// How the run ended last (it may be reopened by a retry); `.cancelled` until it has.
    var outcome: RunOutcome {
        lock.lock()
        defer { lock.unlock() }
        return lastOutcome
    }

    /// The run as it is now, for the summary printed after it ended (the owner of the run may ask it directly).
    func finalSnapshot() -> RunSnapshot { runner.snapshot() }

    /// Writes what the recorder still buffers and waits for it: before reading this run's own rows back from the
    /// history (`s` saving an attempt that just ended would otherwise find its last lines, or all, missing).
    func flushRecording() {
        recorder?.sync()
    }

    /// Ends the recording after the run finished. Returns a warning to show when the history is incomplete.
    func closeRecording() -> String? {
        // The run is over: no job is left for the watchdog to stop, nobody left to attach.
        executors.close()
        closeControl()
        guard let recorder else { return nil }
        runner.unsubscribe(recorder)
        recorder.close(outcome: outcome)
        if let error = recorder.error {
            // The run went on (recording never stops it), but the history is incomplete: say so.
            return "warning: the history in \(store?.path ?? "") is late or incomplete for this run: \(error)\n"
        }
        return nil
    }

    /// Sends the run's notifications (after `closeRecording`), records how each went, and returns what to
    /// tell the user about those that failed. Never changes the outcome or the exit code.
    func notify(exitCode: CLIExit) -> String {
        guard !notifier.isEmpty else { return "" }
        let report = RunReport(snapshot: finalSnapshot(), outcome: outcome, exitCode: exitCode, startedAt: startedAt,
                               endedAt: clock.wall(), duration: elapsed, historyPath: store?.path,
                               vdkContacts: notifier.vdkContacts)
        var messages = ""
        for result in notifier.send(report) {
            if let store {
                let record = NotificationRecord(hook: result.hook, target: result.target, ok: result.ok,
                                                detail: result.detail, time: clock.wall())
                do {
                    try store.recordNotification(runId: runId, record)
                } catch {
                    messages += "warning: cannot record the \(result.hook) notification in \(store.path): \(error)\n"
                }
            }
            if !result.ok {
                messages += "warning: the \(result.hook) notification (\(result.target)) failed: \(result.detail)\n"
            }
        }
        return TerminalSanitizer.sanitizeText(messages)
    }

    /// The exit code for how the run ended: 0 succeeded, 1 failed; a cancelled run exits 143 when `signal` was
    /// SIGTERM, else 130 (SIGINT, or the user stopping it from the dashboard).
    func exitCode(signal: Int32) -> CLIExit {
        switch outcome {
        case .succeeded: return .succeeded
        case .failed: return .failed
        case .cancelled: return .stopped(by: signal)
        }
    }
}

extension PreparedRun: ShownRun {
    /// A run started here lives in this process.
    var isAttached: Bool { false }
    /// Its jobs are this process's children: it cannot go on without it.
    var canDetach: Bool { false }
    func detach() {}
}
