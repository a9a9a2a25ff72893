import Dispatch
import Foundation
import MetaJobCore

/// Runs one meta job: owns the state machine, the executors and the timer on one serial queue, performs
/// the state machine's actions and publishes one event stream to any number of observers.
///
/// Everything mutable here belongs to `queue`; the public methods hop onto it. Watchers reach it only as a
/// `RunConnection` (the in-process one).
public final class Runner: RunConnection, @unchecked Sendable {
    /// The queue that owns the run. Executors deliver their events on it.
    public let queue: DispatchQueue
    public let info: RunInfo

    private let jobs: [ResolvedJob]
    private var state: RunState
    private let clock: RunClock
    private let monotonicOrigin: Double
    private let wallOrigin: Double
    private(set) var executors: [ExecutorKind: JobExecutor] = [:]
    private var observers: [ObjectIdentifier: RunObserver] = [:]
    private var sequence: UInt64 = 0
    private let timers: RunTimerScheduler
    private var timer: RunTimer?
    private var armedDeadline: Double?
    private var finishWaiters: [@Sendable (RunOutcome) -> Void] = []
    private var lastOutcome: RunOutcome?
    private let baseLaunchEnvironment: [String: String]
    private let summaryDirectory: String

    /// A run of `jobs` (resolved, in graph order) under `settings`.
    /// `makeExecutor` builds the executor of each kind the jobs use, given the runner's queue and event sink.
    /// `timers` arms the wake-up for the next deadline (tests pass a manual one driven with `clock`).
    public init(info: RunInfo, jobs: [ResolvedJob], settings: RunSettings, reused: [Int: String] = [:],
                clock: RunClock = SystemClock(), timers: RunTimerScheduler = DispatchTimerScheduler(),
                seed: UInt64 = UInt64.random(in: 0...UInt64.max),
                makeExecutor: (ExecutorKind, DispatchQueue, @escaping (ExecutorEvent) -> Void) -> JobExecutor) {
        self.queue = DispatchQueue(label: "metajob.runner")
        self.info = info
        self.jobs = jobs
        self.clock = clock
        self.timers = timers
        self.monotonicOrigin = clock.monotonic()
        self.wallOrigin = clock.wall()
        let definitions = jobs.map(\.definition)
        let graph = JobGraph(names: definitions.map(\.name), dependsOn: definitions.map(\.dependsOn))
        self.state = RunState(graph: graph, plans: definitions.map(JobPlan.init), settings: settings, seed: seed)
        if !reused.isEmpty { state.markReused(reused) }
        self.baseLaunchEnvironment = ["METAJOB_RUN_ID": info.runId, "METAJOB_META_JOB": info.metaJobName,
                                      "METAJOB_STARTED_BY": info.startedBy]
        self.summaryDirectory = NSTemporaryDirectory()
        queue.setSpecific(key: Runner.queueKey, value: ObjectIdentifier(self))
        for kind in Set(jobs.map(\.executor)) {
            executors[kind] = makeExecutor(kind, queue) { [weak self] event in self?.executorEvent(event) }
        }
    }

    // MARK: - Public API (any thread)

    /// Starts the run.
    public func start() {
        queue.async { self.step(.start, publishStart: true) }
    }

    /// In this process.
    public var isRemote: Bool { false }

    /// Sends a user command (retry, cancel, pause, …); refused (and not fed to the state machine) when it
    /// would change nothing.
    public func send(_ command: RunCommand, reply: @escaping @Sendable (CommandReply) -> Void) {
        queue.async {
            if let why = self.state.refusal(for: command) {
                reply(.refused(why))
                return
            }
            self.step(.command(command))
            reply(.accepted)
        }
    }

    /// Attaches an observer: it gets the current snapshot, then every later event, in order. Never fails (the
    /// run is in this process).
    public func subscribe(_ observer: RunObserver) {
        let attach = {
            self.observers[ObjectIdentifier(observer)] = observer
            observer.attach(self.snapshotOnQueue())
        }
        if DispatchQueue.getSpecific(key: Runner.queueKey) == ObjectIdentifier(self) { attach() } else { queue.sync(execute: attach) }
    }

    /// Detaches an observer.
    public func unsubscribe(_ observer: RunObserver) {
        queue.async { self.observers[ObjectIdentifier(observer)] = nil }
    }

    /// The current snapshot (for tests and the process that owns the runner; watchers subscribe instead).
    public func snapshot() -> RunSnapshot {
        queue.sync { snapshotOnQueue() }
    }

    /// Calls `body` (on the runner's queue) each time the run finishes — and at once if it already has.
    public func onFinish(_ body: @escaping @Sendable (RunOutcome) -> Void) {
        queue.async {
            self.finishWaiters.append(body)
            if let outcome = self.lastOutcome, case .finished = self.state.phase { body(outcome) }
        }
    }

    // MARK: - The loop

    private static let queueKey = DispatchSpecificKey<ObjectIdentifier>()

    private func snapshotOnQueue() -> RunSnapshot {
        RunSnapshot(info: info, state: state, sequence: sequence, wallClockOrigin: wallOrigin)
    }

    private var now: Double { clock.monotonic() - monotonicOrigin }

    /// Feeds one input to the state machine and performs what it asks.
    private func step(_ input: RunInput, publishStart: Bool = false) {
        dispatchPrecondition(condition: .onQueue(queue))
        if publishStart { publish(.runStarted) }
        let actions = state.handle(input, now: now)
        perform(actions)
        rearmTimer()
        for observer in observers.values { observer.flush() }
    }

    private func perform(_ actions: [RunAction]) {
        for action in actions {
            switch action {
            case let .startAttempt(j, attempt):
                launch(j, attempt)
            case let .terminateAttempt(j, attempt, grace):
                executors[jobs[j].executor]?.terminate(AttemptKey(job: j, attempt: attempt), graceSeconds: grace)
            case .jobChanged(let update):
                publish(.job(update))
            case let .controlsChanged(paused, limit):
                publish(.controls(paused: paused, limit: limit))
            case .runReopened:
                publish(.runReopened)
            case .runFinished(let outcome):
                publish(.runFinished(outcome))
                lastOutcome = outcome
                for waiter in finishWaiters { waiter(outcome) }
            }
        }
    }

    private func launch(_ j: Int, _ attempt: Int) {
        let job = jobs[j]
        let definition = job.definition
        var environment = [String: String](minimumCapacity: baseLaunchEnvironment.count + definition.env.count + 4)
        for (name, value) in baseLaunchEnvironment { environment[name] = value }
        for variable in definition.env { environment[variable.name] = variable.value }
        environment["METAJOB_ARGUMENTS"] = definition.arguments?.jsonText ?? "{}"
        environment["METAJOB_JOB_NAME"] = definition.name
        environment["METAJOB_ATTEMPT"] = String(attempt)
        var summaryPath: String?
        if job.vdkJobDirectory != nil {
            let path = summaryDirectory + "/metajob-\(info.runId)-\(j)-\(attempt)-summary.json"
            environment["JOB_RUN_SUMMARY_FILE_PATH"] = path
            summaryPath = path
        }
        let request = LaunchRequest(key: AttemptKey(job: j, attempt: attempt), jobName: definition.name,
                                    teamName: definition.teamName, argv: job.argv,
                                    workingDirectory: job.workingDirectory, environment: environment,
                                    vdkSummaryPath: summaryPath, arguments: definition.arguments,
                                    startedBy: info.startedBy)
        executors[job.executor]!.start(request)
    }

    private func executorEvent(_ event: ExecutorEvent) {
        dispatchPrecondition(condition: .onQueue(queue))
        switch event {
        case let .started(key, executionId):
            step(.attemptStarted(job: key.job, attempt: key.attempt, executionId: executionId))
        case let .output(key, stream, lines):
            guard !lines.isEmpty else { return }
            publishLog(key, stream, lines)
        case let .finished(key, outcome):
            step(.attemptFinished(job: key.job, attempt: key.attempt, outcome: outcome))
        case let .refused(key, reason):
            step(.attemptRefused(job: key.job, attempt: key.attempt, reason: reason))
        }
    }

    /// One log event; its n lines take n sequence numbers.
    private func publishLog(_ key: AttemptKey, _ stream: LogStream, _ lines: LogLines) {
        let event = RunEvent(sequence: sequence + 1, time: clock.wall(),
                             kind: .log(job: key.job, attempt: key.attempt, stream: stream, lines: lines))
        sequence += UInt64(lines.count)
        for observer in observers.values { observer.receive(event) }
        for observer in observers.values { observer.flush() }
    }

    private func publish(_ kind: RunEvent.Kind) {
        sequence += 1
        let event = RunEvent(sequence: sequence, time: clock.wall(), kind: kind)
        for observer in observers.values { observer.receive(event) }
    }

    /// Keeps one timer armed for the state machine's earliest deadline; no polling.
    private func rearmTimer() {
        let deadline = state.nextDeadline()
        guard deadline != armedDeadline else { return }
        armedDeadline = deadline
        timer?.cancel()
        timer = nil
        guard let deadline else { return }
        timer = timers.schedule(after: max(0, deadline - now), on: queue) { [weak self] in
            guard let self else { return }
            self.armedDeadline = nil
            self.timer?.cancel()
            self.timer = nil
            self.step(.timer)
        }
    }
}
