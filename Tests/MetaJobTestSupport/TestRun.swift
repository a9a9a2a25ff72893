import Dispatch
import Foundation
import MetaJobCore
import MetaJobRunner

/// The one place tests build a `Runner`: a definition written inline, resolved, wired to the executors a
/// test chooses (real local processes by default, a loopback Control Service, or `FakeExecutor`) and
/// observed by a `RunEvents` subscribed before the start.
public enum TestRun {
    /// Builds the executor of one kind on the runner's queue, as `Runner.init` asks.
    public typealias MakeExecutor = (ExecutorKind, DispatchQueue, @escaping (ExecutorEvent) -> Void) -> JobExecutor

    /// Every kind runs as local processes.
    public static func local(_ kind: ExecutorKind, _ queue: DispatchQueue,
                             _ sink: @escaping (ExecutorEvent) -> Void) -> JobExecutor {
        LocalExecutor(queue: queue, onEvent: sink)
    }

    /// A runner of `jobs` (meta job "test"), with its event collector already subscribed.
    public static func make(_ jobs: [JobDefinition], settings: RunSettings = RunSettings(),
                            directory: String = NSTemporaryDirectory(), defaultExecutor: ExecutorKind = .local,
                            startedBy: String = "manual/test", clock: RunClock = SystemClock(),
                            timers: RunTimerScheduler = DispatchTimerScheduler(),
                            seed: UInt64 = UInt64.random(in: 0...UInt64.max),
                            makeExecutor: MakeExecutor = local) -> (Runner, RunEvents) {
        let definition = MetaJobDefinition(name: "test", jobs: jobs, directory: directory)
        let resolved = try! JobResolver.resolve(definition, defaultExecutor: defaultExecutor, localRunJobPath: nil).get()
        let info = RunInfo(runId: RunID.make(at: clock.wall()), metaJobName: "test", startedBy: startedBy, jobs: jobs)
        let runner = Runner(info: info, jobs: resolved, settings: settings, clock: clock, timers: timers, seed: seed,
                            makeExecutor: makeExecutor)
        let events = RunEvents()
        runner.subscribe(events)
        return (runner, events)
    }

    /// A job running `script` with `/bin/sh -c`.
    public static func job(_ name: String, _ deps: [String] = [], _ script: String, retries: Int = 0,
                           retryDelay: Double = 0.05, failDag: Bool = true, arguments: JSONValue? = nil,
                           timeout: Double? = nil) -> JobDefinition {
        JobDefinition(name: name, dependsOn: deps, failDagOnError: failDag, arguments: arguments, command: .shell(script),
                      timeoutSeconds: timeout, retries: retries, retryDelaySeconds: retryDelay)
    }
}
