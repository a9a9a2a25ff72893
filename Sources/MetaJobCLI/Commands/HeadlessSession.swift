import Dispatch
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner

/// Runs a meta job without the dashboard: printers and the history recorder on the event stream, signals
/// handled, summary at the end.
struct HeadlessSession {
    var source: RunSource
    var options: RunOptions
    var history: HistoryOptions
    var environment: Environment

    private var definition: MetaJobDefinition { source.definition }

    /// Runs to the end and returns the exit code.
    func run() throws -> CLIExit {
        let configuration: ResolvedConfiguration
        do {
            configuration = try SettingsResolver.resolve(flags: options.flags, environment: environment, file: definition.settings)
        } catch {
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
        let jobs: [ResolvedJob]
        switch JobResolver.resolve(definition, defaultExecutor: configuration.executor,
                                   localRunJobPath: configuration.localRunJobPath) {
        case .success(let resolved): jobs = resolved
        case .failure(let report):
            CLIOutput.stderr(IssuePrinter.plain(report.issues, file: definition.name))
            throw CLIExit.invalid
        }
        let executors: RunExecutors
        do {
            executors = try RunExecutors(configuration: configuration, environment: environment, jobs: jobs,
                                         adopt: source.adoptExecutions)
        } catch {
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
        for warning in executors.warnings { CLIOutput.stderr(warning) }

        let store = options.noHistory ? nil : try history.open(environment)
        let clock = SystemClock()
        let startedAt = clock.wall()
        let info = RunInfo(runId: RunID.make(at: startedAt), metaJobName: definition.name,
                           startedBy: "\(options.executionType.rawValue)/\(definition.name)", jobs: definition.jobs)
        var reused: [Int: String] = [:]
        for (j, job) in definition.jobs.enumerated() {
            if let run = source.reused[job.name] { reused[j] = run }
        }
        defer { executors.close() }
        let runner = Runner(info: info, jobs: jobs, settings: configuration.settings, reused: reused, clock: clock) { kind, queue, sink in
            executors.make(kind, queue: queue, sink: sink)
        }
        var recorder: HistoryRecorder?
        if let store {
            let newRun = NewRun(
                runId: info.runId, metaJob: definition.name, startedAt: startedAt, startedBy: info.startedBy,
                workingDirectory: FileManager.default.currentDirectoryPath, commandLine: CommandLine.arguments,
                definitionPath: source.definitionPath.map { JobResolver.absolute($0, relativeTo: FileManager.default.currentDirectoryPath) },
                definitionText: source.definitionText, settingsJSON: configuration.json, resumedFrom: source.resumedFrom,
                jobs: definition.jobs.map { NewRunJob(name: $0.name, team: $0.teamName, failDagOnError: $0.failDagOnError,
                                                      dependsOn: $0.dependsOn, reusedFrom: source.reused[$0.name]) })
            do {
                recorder = try HistoryRecorder(store: store, run: newRun)
            } catch {
                CLIOutput.error("cannot record the run in \(store.path): \(error). Use --no-history to run without recording.")
                throw CLIExit.invalid
            }
            runner.subscribe(recorder!)
        }
        let out = OutputWriter(fd: 1, flushQueue: runner.queue)
        let printer: RunObserver = options.output == .json
            ? JSONPrinter(out: out, showLogs: options.logs)
            : PlainPrinter(out: out, showLogs: options.logs)
        runner.subscribe(printer)

        let signals = SignalForwarder(runner: runner)
        let finished = DispatchSemaphore(value: 0)
        let outcomeBox = OutcomeBox()
        runner.onFinish { outcome in
            outcomeBox.set(outcome)
            finished.signal()
        }
        let started = clock.monotonic()
        runner.start()
        finished.wait()
        let elapsed = clock.monotonic() - started
        let snapshot = runner.snapshot()
        runner.unsubscribe(printer)
        if let recorder {
            runner.unsubscribe(recorder)
            recorder.close(outcome: outcomeBox.get())
            if let error = recorder.error {
                // The run went on (recording never stops it), but the history is incomplete: say so.
                CLIOutput.stderr("warning: the run was not fully recorded in \(store?.path ?? ""): \(error)\n")
            }
        }
        // The writer belongs to the runner's queue (its deferred flushes run there): finish on it too.
        let summary = options.output == .plain ? SummaryTable.render(snapshot, elapsed: elapsed) : ""
        runner.queue.sync {
            out.write(summary)
            out.flush()
        }
        if environment["METAJOB_RESOURCE_REPORT"] != nil { ResourceReport.print() }
        switch outcomeBox.get() {
        case .succeeded: return .succeeded
        case .failed: return .failed
        case .cancelled: return signals.received == SIGTERM ? .terminated : .interrupted
        }
    }
}

/// The outcome handed from the runner's queue to the waiting main thread.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: RunOutcome = .cancelled
    func set(_ v: RunOutcome) { lock.lock(); value = v; lock.unlock() }
    func get() -> RunOutcome { lock.lock(); defer { lock.unlock() }; return value }
}
