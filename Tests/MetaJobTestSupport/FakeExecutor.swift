import Dispatch
import Foundation
import MetaJobCore
import MetaJobRunner
#if canImport(Glibc)
import Glibc
#endif

/// A `JobExecutor` without processes, after ninja's `DryRunCommandRunner`: each start plays the job's
/// scripted `FakeAttempt`, and the executor records what the runner asked of it (starts, terminations,
/// the peak number of attempts at once) for the test to check.
///
/// Like a real executor it is confined to the runner's queue and never reports from inside `start` or
/// `terminate`: every event is delivered by a later block on the queue. `inFlight` counts those blocks,
/// so a test can drain the queue until nothing is left to deliver (`FakeRun.settle`). Grace periods run
/// on the scheduler it is given (a `ManualClock` in tests), never on real time.
public final class FakeExecutor: JobExecutor, @unchecked Sendable {
    /// A termination the runner asked for.
    public struct Termination: Sendable, Equatable {
        public var job: String
        public var attempt: Int
        public var graceSeconds: Double

        public init(job: String, attempt: Int, graceSeconds: Double) {
            self.job = job
            self.attempt = attempt
            self.graceSeconds = graceSeconds
        }
    }

    private let queue: DispatchQueue
    private let onEvent: (ExecutorEvent) -> Void
    private let timers: RunTimerScheduler
    private let script: [String: [FakeAttempt]]
    private let fallback: FakeAttempt
    // Read by the test thread, written on the queue.
    private let lock = NSLock()
    private var startsStore: [LaunchRequest] = []
    private var terminationsStore: [Termination] = []
    private var startCounts: [String: Int] = [:]
    /// Attempts started and not yet ended, with what they play.
    private var live: [AttemptKey: (name: String, plays: FakeAttempt)] = [:]
    private var peakLive = 0
    private var pendingDeliveries = 0

    /// An executor on the runner's `queue`; job `name`'s n-th start plays `script[name][n-1]` (the last entry
    /// again once they run out), jobs without a script play `fallback`.
    public init(queue: DispatchQueue, script: [String: [FakeAttempt]] = [:], fallback: FakeAttempt = .succeed,
                timers: RunTimerScheduler, onEvent: @escaping (ExecutorEvent) -> Void) {
        self.queue = queue
        self.script = script
        self.fallback = fallback
        self.timers = timers
        self.onEvent = onEvent
    }

    // MARK: - JobExecutor (on the queue)

    public func start(_ request: LaunchRequest) {
        dispatchPrecondition(condition: .onQueue(queue))
        let name = request.jobName
        lock.lock()
        startsStore.append(request)
        let n = startCounts[name, default: 0]
        startCounts[name] = n + 1
        let plays = script[name].map { $0[min(n, $0.count - 1)] } ?? fallback
        if case .refuse = plays {} else {
            live[request.key] = (name, plays)
            peakLive = max(peakLive, live.count)
        }
        lock.unlock()
        let key = request.key
        switch plays {
        case let .finish(outcome, output):
            var events: [ExecutorEvent] = [.started(key, executionId: "fake-\(name)-\(key.attempt)")]
            if !output.isEmpty { events.append(.output(key, .stdout, LogLines(output.map { Array($0.utf8) }))) }
            events.append(.finished(key, outcome))
            deliver(events)
        case .hang, .ignoreTerm:
            deliver([.started(key, executionId: "fake-\(name)-\(key.attempt)")])
        case .refuse(let reason):
            deliver([.refused(key, reason)])
        }
    }

    public func terminate(_ key: AttemptKey, graceSeconds: Double) {
        dispatchPrecondition(condition: .onQueue(queue))
        lock.lock()
        guard let entry = live[key] else { lock.unlock(); return }
        terminationsStore.append(Termination(job: entry.name, attempt: key.attempt, graceSeconds: graceSeconds))
        lock.unlock()
        switch entry.plays {
        case .hang:
            end(key, .signaled(signal: SIGTERM))
        case .ignoreTerm where graceSeconds <= 0:
            end(key, .signaled(signal: SIGKILL))
        case .ignoreTerm:
            // A second, shorter termination may come first; whichever fires first ends it, the other finds it gone.
            _ = timers.schedule(after: graceSeconds, on: queue) { [weak self] in self?.end(key, .signaled(signal: SIGKILL)) }
        case .finish, .refuse:
            break  // Its end is already on the way.
        }
    }

    // MARK: - Steering from the test (any thread but the queue)

    /// Ends the live attempt of `job` with `outcome`, as if its process exited. False if none is live.
    @discardableResult
    public func finish(_ job: String, _ outcome: AttemptOutcome) -> Bool {
        queue.sync {
            lock.lock()
            let key = live.first { $0.value.name == job }?.key
            lock.unlock()
            guard let key else { return false }
            end(key, outcome)
            return true
        }
    }

    // MARK: - What the runner asked (any thread)

    /// Every start, in order.
    public var starts: [LaunchRequest] { lock.lock(); defer { lock.unlock() }; return startsStore }

    /// The job names of every start, in order.
    public var startOrder: [String] { starts.map(\.jobName) }

    /// Every termination, in order.
    public var terminations: [Termination] { lock.lock(); defer { lock.unlock() }; return terminationsStore }

    /// Names of the attempts started and not ended (unordered).
    public var liveJobs: Set<String> { lock.lock(); defer { lock.unlock() }; return Set(live.values.map(\.name)) }

    /// The most attempts that were live at once.
    public var peak: Int { lock.lock(); defer { lock.unlock() }; return peakLive }

    /// Events scheduled on the queue and not yet delivered.
    public var inFlight: Int { lock.lock(); defer { lock.unlock() }; return pendingDeliveries }

    // MARK: - Delivery

    private func end(_ key: AttemptKey, _ outcome: AttemptOutcome) {
        lock.lock()
        let wasLive = live.removeValue(forKey: key) != nil
        lock.unlock()
        if wasLive { deliver([.finished(key, outcome)]) }
    }

    private func deliver(_ events: [ExecutorEvent]) {
        lock.lock(); pendingDeliveries += 1; lock.unlock()
        queue.async {
            for event in events {
                if case .finished(let key, _) = event {
                    self.lock.lock(); self.live[key] = nil; self.lock.unlock()
                }
                self.onEvent(event)
            }
            self.lock.lock(); self.pendingDeliveries -= 1; self.lock.unlock()
        }
    }
}
