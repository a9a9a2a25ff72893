import Dispatch
import MetaJobCore

/// Builds a run's executors: local processes, and the Control Service client when some job runs remotely.
/// Every session that starts a `Runner` (headless or dashboard) makes its executors here.
public struct RunExecutors: Sendable {
    /// The remote executor's configuration; nil when no job runs remotely.
    public let remote: RemoteConfiguration?
    /// The environment local jobs start from.
    public let baseEnvironment: [String: String]
    /// Takes metajob's secrets out of local jobs' output; nil when the environment holds none.
    public let redactor: OutputRedactor?
    /// Stops local jobs left behind if metajob is killed (-9) or crashes (DECISIONS.md); nil when it could not start.
    public let watchdog: ProcessGroupWatchdog?
    /// Why the watchdog could not start, if it could not.
    private let watchdogError: String?

    /// Executors for `jobs`: `remote` is the resolved Control Service configuration when some job runs remotely,
    /// `baseEnvironment` what local jobs start from (its secrets are redacted from their output), `graceSeconds`
    /// the watchdog's grace period if metajob dies.
    public init(jobs: [ResolvedJob], remote: RemoteConfiguration?, baseEnvironment: [String: String], graceSeconds: Double) {
        self.remote = jobs.contains(where: { $0.executor == .remote }) ? remote : nil
        self.baseEnvironment = baseEnvironment
        redactor = OutputRedactor(environment: baseEnvironment)
        if jobs.contains(where: { $0.executor == .local }) {
            do {
                watchdog = try ProcessGroupWatchdog(graceSeconds: graceSeconds)
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
    public func close() { watchdog?.close() }

    /// Warnings to show before the run starts.
    public var warnings: [String] {
        watchdogError.map { ["warning: \($0); if metajob is killed, its running jobs will keep running.\n"] } ?? []
    }

    /// The executor for `kind`, owned by the runner's `queue`, reporting to `sink`.
    public func make(_ kind: ExecutorKind, queue: DispatchQueue, sink: @escaping (ExecutorEvent) -> Void) -> JobExecutor {
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
