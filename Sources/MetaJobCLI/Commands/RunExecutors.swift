import Dispatch
import MetaJobCore
import MetaJobRunner

/// Builds a run's executors: local processes, and the Control Service client when some job runs remotely.
/// Every session that starts a `Runner` (headless or dashboard) makes its executors here.
struct RunExecutors {
    /// The remote executor's configuration; nil when no job runs remotely.
    let remote: RemoteConfiguration?
    /// The environment local jobs start from.
    let baseEnvironment: [String: String]
    /// Takes metajob's secrets out of local jobs' output; nil when the environment holds none.
    let redactor: OutputRedactor?
    /// Stops local jobs left behind if metajob is killed (-9) or crashes (DECISIONS.md); nil when it could not start.
    let watchdog: ProcessGroupWatchdog?
    /// Why the watchdog could not start, if it could not.
    private let watchdogError: String?

    /// Resolves the remote settings when one of `jobs` runs remotely; throws with what to set when they are
    /// missing. `adopt` maps jobs to executions an interrupted run left running (resume).
    init(configuration: ResolvedConfiguration, environment: Environment, jobs: [ResolvedJob],
         adopt: [String: String]) throws(ConfigurationError) {
        let remoteJobs = jobs.filter { $0.executor == .remote }.map(\.definition)
        remote = remoteJobs.isEmpty ? nil
            : try RemoteSettingsResolver.resolve(configuration, environment: environment, remoteJobs: remoteJobs, adopt: adopt)
        baseEnvironment = environment.variables
        redactor = OutputRedactor(environment: environment.variables)
        if jobs.contains(where: { $0.executor == .local }) {
            do {
                watchdog = try ProcessGroupWatchdog(graceSeconds: configuration.settings.terminationGraceSeconds)
                watchdogError = nil
            } catch {
                watchdog = nil
                watchdogError = "\(error)"
            }
        } else {
            watchdog = nil
            watchdogError = nil
        }
    }

    /// Ends the watchdog once the run is over (no job is left for it to stop).
    func close() { watchdog?.close() }

    /// Warnings to show before the run starts.
    var warnings: [String] {
        (remote.map(RemoteSettingsResolver.warnings) ?? [])
            + (watchdogError.map { ["warning: \($0); if metajob is killed, its running jobs will keep running.\n"] } ?? [])
    }

    /// The executor for `kind`, owned by the runner's `queue`, reporting to `sink`.
    func make(_ kind: ExecutorKind, queue: DispatchQueue, sink: @escaping (ExecutorEvent) -> Void) -> JobExecutor {
        if kind == .remote, let remote { return RemoteExecutor(queue: queue, configuration: remote, onEvent: sink) }
        guard let redactor else {
            return LocalExecutor(queue: queue, baseEnvironment: baseEnvironment, watchdog: watchdog, onEvent: sink)
        }
        return LocalExecutor(queue: queue, baseEnvironment: baseEnvironment, watchdog: watchdog) { event in
            if case let .output(key, stream, lines) = event {
                sink(.output(key, stream, redactor.redact(lines)))
            } else {
                sink(event)
            }
        }
    }
}
