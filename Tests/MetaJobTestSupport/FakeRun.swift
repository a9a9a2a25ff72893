import Dispatch
import Foundation
import MetaJobCore
import MetaJobRunner

/// A `Runner` over a `FakeExecutor` on a `ManualClock`, built by `TestRun.make`: no process, no socket, no
/// sleep. Each call returns once the runner's queue is idle and nothing is left to deliver, so a test reads
/// a settled state; time moves only in `advance`, which fires every wake-up that falls due on the way.
public final class FakeRun {
    public let runner: Runner
    public let events: RunEvents
    public let clock: ManualClock
    public let executor: FakeExecutor

    /// `jobs` under `settings`; job `name`'s n-th start plays `script[name][n-1]`, others play `fallback`.
    /// The random seed is fixed, so backoff and delay-queue jitter repeat from run to run.
    public init(_ jobs: [JobDefinition], settings: RunSettings = RunSettings(), script: [String: [FakeAttempt]] = [:],
                fallback: FakeAttempt = .succeed, seed: UInt64 = 1) {
        let clock = ManualClock()
        var made: FakeExecutor?
        (runner, events) = TestRun.make(jobs, settings: settings, clock: clock, timers: clock, seed: seed) { _, queue, sink in
            let executor = made ?? FakeExecutor(queue: queue, script: script, fallback: fallback, timers: clock, onEvent: sink)
            made = executor
            return executor
        }
        self.clock = clock
        self.executor = made!
    }

    /// A job that the fake executor runs (its command is never executed).
    public static func job(_ name: String, _ deps: [String] = [], retries: Int = 0, retryDelay: Double = 10,
                           failDag: Bool = true, timeout: Double? = nil) -> JobDefinition {
        TestRun.job(name, deps, "exit 99", retries: retries, retryDelay: retryDelay, failDag: failDag, timeout: timeout)
    }

    /// Starts the run.
    public func start() { runner.start(); settle() }

    /// Sends a command, by job name where it names one.
    public func send(_ command: RunCommand) { runner.send(command); settle() }

    /// The index of `job`.
    public func index(_ job: String) -> Int { runner.info.jobs.firstIndex { $0.name == job }! }

    /// Ends `job`'s live attempt with `outcome`; false if it has none.
    @discardableResult
    public func finish(_ job: String, _ outcome: AttemptOutcome = .exited(code: 0)) -> Bool {
        defer { settle() }
        return executor.finish(job, outcome)
    }

    /// Moves the clock `seconds` forward, firing (in time order) every wake-up due on the way, including the
    /// ones armed by what fired.
    public func advance(by seconds: Double) { advance(to: clock.now + seconds) }

    /// Moves the clock to `t` (never back), firing what falls due on the way.
    /// A runner that re-arms a wake-up without moving its deadline would loop here forever: past
    /// `maxFires` wake-ups the clock stops (short of `t`) and says so, and the test's expectations fail.
    public func advance(to t: Double, maxFires: Int = 10_000) {
        settle()
        var fired = 0
        while clock.fireNext(notAfter: t) {
            settle()
            fired += 1
            if fired == maxFires {
                print("FakeRun.advance: \(fired) wake-ups before \(t) without reaching it; stopped at \(clock.now)")
                return
            }
        }
        clock.set(t)
    }

    /// Waits until the runner's queue has run every block the executor scheduled (no real time passes).
    public func settle() {
        repeat { runner.queue.sync {} } while executor.inFlight > 0
    }

    /// The last state published for `job` (nil before its first update).
    public func state(_ job: String) -> JobState? { events.last(job)?.state }
}
