import Foundation
import Testing
import MetaJobCore
import MetaJobRunner
import MetaJobTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The `Runner` over a `FakeExecutor` on a `ManualClock`: no process, no socket, no sleep. Every deadline
/// (retry backoff, delay queue, timeout, grace) fires only when the test moves the clock past it.
@Suite struct RunnerFakeExecutorTests {
    typealias J = FakeRun

    @Test func startsInGraphOrderAndOnlyAfterDependencies() {
        let run = FakeRun([J.job("a"), J.job("b", ["a"]), J.job("c", ["a"]), J.job("d", ["b", "c"]), J.job("e")],
                          settings: RunSettings(maxConcurrentRunningJobs: 1))
        run.start()
        #expect(run.events.outcome == .succeeded)
        #expect(run.executor.startOrder == ["a", "e", "b", "c", "d"])
        // Each job starts (submitted) only after every dependency succeeded, in the published order.
        let updates = run.events.updates
        for (job, deps) in [("b", ["a"]), ("c", ["a"]), ("d", ["b", "c"])] {
            let submitted = updates.firstIndex { $0.name == job && $0.update.state == .submitted }!
            for dep in deps {
                let succeeded = updates.firstIndex { $0.name == dep && $0.update.state == .succeeded }!
                #expect(succeeded < submitted, "\(job) started before \(dep) succeeded")
            }
        }
        #expect(run.executor.peak == 1)
        #expect(run.clock.now == 0, "no time passed")
    }

    @Test func failedDependencyLeavesDependentsNotRun() {
        let run = FakeRun([J.job("a"), J.job("b", ["a"]), J.job("c")], script: ["a": [.exit(3)]])
        run.start()
        #expect(run.events.outcome == .failed)
        #expect(run.state("a") == .userError)
        #expect(run.events.last("a")?.exitCode == 3)
        #expect(run.state("b") == .notRun)
        #expect(!run.executor.startOrder.contains("b"))
    }

    @Test func concurrencyLimitHoldsAndFreedSlotsAreRefilled() {
        let jobs = (0..<10).map { J.job("j\($0)") }
        let run = FakeRun(jobs, settings: RunSettings(maxConcurrentRunningJobs: 3), fallback: .hang)
        run.start()
        #expect(run.executor.liveJobs == ["j0", "j1", "j2"])
        run.finish("j1")
        #expect(run.executor.liveJobs == ["j0", "j2", "j3"])
        for i in 0..<10 { run.finish("j\(i)") }
        #expect(run.executor.peak == 3)
        #expect(run.executor.startOrder == (0..<10).map { "j\($0)" })
        #expect(run.events.outcome == .succeeded)
    }

    @Test func changingTheLimitStartsMoreOrWaitsForSlots() {
        let jobs = (0..<8).map { J.job("j\($0)") }
        let run = FakeRun(jobs, settings: RunSettings(maxConcurrentRunningJobs: 2), fallback: .hang)
        run.start()
        #expect(run.executor.liveJobs.count == 2)
        run.send(.setConcurrency(5))
        #expect(run.executor.liveJobs.count == 5)
        #expect(run.events.controls.contains("paused=false limit=5"))
        run.send(.setConcurrency(1))
        #expect(run.executor.liveJobs.count == 5, "a lower limit stops nothing that runs")
        for j in ["j0", "j1", "j2", "j3"] { run.finish(j) }
        #expect(run.executor.liveJobs == ["j4"], "no start until the running count is under the new limit")
        run.finish("j4")
        #expect(run.executor.liveJobs == ["j5"])
        let changes = run.events.controls.count
        run.send(.setConcurrency(0))
        #expect(run.events.controls.count == changes, "0 means 1, the limit it already has")
        run.finish("j5")
        #expect(run.executor.liveJobs == ["j6"], "a limit of 0 would start nothing")
    }

    @Test func retriesWaitTheirExponentialBackoffOnTheClock() {
        let run = FakeRun([J.job("flaky", retries: 2, retryDelay: 10)], script: ["flaky": [.exit(1), .exit(1), .succeed]])
        run.start()
        #expect(run.executor.starts.count == 1)
        let first = run.events.last("flaky")!
        #expect(first.state == .delayed && first.delayReason == .retryBackoff)
        // 10 s, plus up to 10 % jitter.
        let firstReady = first.readyAt!
        #expect(firstReady >= 10 && firstReady < 11)
        run.advance(to: firstReady - 0.001)
        #expect(run.executor.starts.count == 1, "no retry before its backoff")
        run.advance(to: firstReady + 0.001)
        #expect(run.executor.starts.count == 2)
        #expect(run.executor.starts[1].key.attempt == 2)
        let second = run.events.last("flaky")!
        #expect(second.state == .delayed)
        // The second backoff doubles: 20 s (+ up to 10 %) after the second failure.
        let wait = second.readyAt! - run.clock.now
        #expect(wait >= 20 - 0.002 && wait < 22)
        run.advance(to: second.readyAt! - 0.001)
        #expect(run.executor.starts.count == 2)
        run.advance(by: 0.002)
        #expect(run.executor.starts.count == 3)
        #expect(run.events.outcome == .succeeded)
        #expect(run.events.states(of: "flaky").filter { $0 == .userError }.count == 2)
        #expect(run.runner.snapshot().jobs[0].attempt == 3)
    }

    @Test func retriesRunOutThenTheJobFails() {
        let run = FakeRun([J.job("bad", retries: 1, retryDelay: 1)], script: ["bad": [.exit(2)]])
        run.start()
        run.advance(by: 5)
        #expect(run.executor.starts.count == 2)
        #expect(run.state("bad") == .userError)
        #expect(run.events.outcome == .failed)
        #expect(run.clock.pending.isEmpty, "nothing left armed")
    }

    @Test func refusedStartWaitsInTheDelayQueueAndKeepsItsAttemptNumber() {
        let settings = RunSettings(delayedJobsMinDelaySeconds: 30, delayedJobsRandomizedAddedDelaySeconds: 600)
        let run = FakeRun([J.job("busy")], settings: settings,
                          script: ["busy": [.refuse(.conflict(message: "already running")), .succeed]])
        run.start()
        let delayed = run.events.last("busy")!
        #expect(delayed.state == .delayed && delayed.delayReason == .conflict(message: "already running"))
        let ready = delayed.readyAt!
        #expect(ready >= 30 && ready <= 630)
        run.advance(to: ready - 0.001)
        #expect(run.executor.starts.count == 1)
        run.advance(to: ready + 0.001)
        #expect(run.executor.starts.count == 2)
        #expect(run.executor.starts.map(\.key.attempt) == [1, 1], "a refused start is not an attempt")
        #expect(run.events.outcome == .succeeded)
    }

    @Test func timeoutTerminatesWithGraceAndEndsAsPlatformError() {
        let run = FakeRun([J.job("slow", timeout: 5)], settings: RunSettings(terminationGraceSeconds: 3), fallback: .hang)
        run.start()
        #expect(run.clock.pending == [5])
        run.advance(by: 4.999)
        #expect(run.executor.terminations.isEmpty)
        run.advance(by: 0.002)
        #expect(run.executor.terminations == [.init(job: "slow", attempt: 1, graceSeconds: 3)])
        #expect(run.state("slow") == .platformError)
        #expect(run.events.last("slow")?.reason == "timed out after 5s")
        #expect(run.events.outcome == .failed)
    }

    @Test func timeoutOfAJobThatFinishedInTimeNeverFires() {
        let run = FakeRun([J.job("quick", timeout: 5), J.job("next", ["quick"])], fallback: .hang)
        run.start()
        run.finish("quick")
        run.advance(by: 10)
        #expect(run.executor.terminations.isEmpty)
        #expect(run.executor.liveJobs == ["next"])
    }

    @Test func cancelRunningTerminatesWithGraceAndWaitingEndsBeforeStart() {
        let run = FakeRun([J.job("long"), J.job("waiting"), J.job("after", ["long"])],
                          settings: RunSettings(maxConcurrentRunningJobs: 1, terminationGraceSeconds: 7), fallback: .hang)
        run.start()
        #expect(run.executor.liveJobs == ["long"])
        run.send(.cancel(job: run.index("waiting")))
        #expect(run.state("waiting") == .cancelled)
        #expect(run.events.last("waiting")?.reason == "cancelled by the user before it started")
        run.send(.cancel(job: run.index("long")))
        #expect(run.executor.terminations == [.init(job: "long", attempt: 1, graceSeconds: 7)])
        #expect(run.state("long") == .cancelled)
        #expect(run.state("after") == .notRun)
        #expect(!run.executor.startOrder.contains("waiting"))
        #expect(run.events.outcome == .failed)
    }

    @Test func cancelDuringRetryBackoffDropsTheRetry() {
        let run = FakeRun([J.job("flaky", retries: 3, retryDelay: 10), J.job("other")], script: ["flaky": [.exit(1)]],
                          fallback: .hang)
        run.start()
        #expect(run.state("flaky") == .delayed)
        run.send(.cancel(job: run.index("flaky")))
        #expect(run.state("flaky") == .cancelled)
        run.advance(by: 100)
        #expect(run.executor.startOrder.filter { $0 == "flaky" }.count == 1, "the stale backoff deadline starts nothing")
    }

    @Test func pauseHoldsNewStartsAndResumeReleasesThem() {
        let run = FakeRun([J.job("a"), J.job("b"), J.job("c")], settings: RunSettings(maxConcurrentRunningJobs: 1),
                          fallback: .hang)
        run.start()
        run.send(.pause)
        #expect(run.events.controls.contains("paused=true limit=1"))
        run.finish("a")
        #expect(run.executor.liveJobs.isEmpty, "paused: nothing new starts")
        #expect(run.state("b") == .queued)
        run.advance(by: 3600)
        #expect(run.executor.startOrder == ["a"])
        run.send(.resume)
        #expect(run.executor.liveJobs == ["b"])
        run.finish("b")
        run.finish("c")
        #expect(run.events.outcome == .succeeded)
    }

    @Test func stopTerminatesWithGraceThenKillsWhenGracePasses() {
        let run = FakeRun([J.job("stubborn"), J.job("polite"), J.job("later", ["polite"])],
                          settings: RunSettings(terminationGraceSeconds: 10),
                          script: ["stubborn": [.ignoreTerm], "polite": [.hang]])
        run.start()
        run.send(.stop(immediate: false))
        #expect(Set(run.executor.terminations.map(\.job)) == ["stubborn", "polite"])
        #expect(run.executor.terminations.allSatisfy { $0.graceSeconds == 10 })
        #expect(run.state("polite") == .cancelled)
        #expect(run.state("later") == .notRun)
        #expect(run.state("stubborn") == .running, "it ignores SIGTERM")
        #expect(run.events.outcome == nil)
        run.advance(by: 9.999)
        #expect(run.state("stubborn") == .running)
        run.advance(by: 0.002)
        #expect(run.state("stubborn") == .cancelled)
        #expect(run.events.last("stubborn")?.reason == "cancelled: the run was stopped")
        #expect(run.events.outcome == .cancelled)
    }

    @Test func secondStopSkipsTheGrace() {
        let run = FakeRun([J.job("stubborn")], settings: RunSettings(terminationGraceSeconds: 10), fallback: .ignoreTerm)
        run.start()
        run.send(.stop(immediate: false))
        run.advance(by: 1)
        #expect(run.events.outcome == nil)
        run.send(.stop(immediate: false))
        #expect(run.executor.terminations.map(\.graceSeconds) == [10, 0])
        #expect(run.events.outcome == .cancelled)
        #expect(run.clock.now == 1)
    }

    @Test func immediateStopSkipsTheGrace() {
        let run = FakeRun([J.job("stubborn")], settings: RunSettings(terminationGraceSeconds: 10), fallback: .ignoreTerm)
        run.start()
        run.send(.stop(immediate: true))
        #expect(run.executor.terminations.map(\.graceSeconds) == [0])
        #expect(run.events.outcome == .cancelled)
    }

    @Test func retryOfAFailedJobReopensTheRunAndRunsItsDependents() {
        let run = FakeRun([J.job("a"), J.job("b", ["a"])], script: ["a": [.exit(1), .succeed]])
        run.start()
        #expect(run.events.outcome == .failed)
        run.send(.retry(job: run.index("a")))
        #expect(run.events.reopenings == 1)
        #expect(run.executor.startOrder == ["a", "a", "b"])
        #expect(run.events.outcome == .succeeded)
    }

    @Test func outputReachesObserversAndEventsAreNumberedInOrder() {
        let run = FakeRun([J.job("talk")], script: ["talk": [.finish(.exited(code: 0), output: ["one", "two"])]])
        run.start()
        #expect(run.events.lines("talk") == ["one", "two"])
        let sequences = run.events.events.map(\.sequence)
        #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
        #expect(run.executor.starts[0].environment["METAJOB_JOB_NAME"] == "talk")
        #expect(run.executor.starts[0].environment["METAJOB_ATTEMPT"] == "1")
    }

    /// The fake's own promise: it never reports from inside `start`/`terminate`, so the runner sees the same
    /// re-entrancy rules as with a real executor.
    @Test func fakeDeliversOnlyAfterTheCallReturns() {
        let queue = DispatchQueue(label: "fake-test")
        let clock = ManualClock()
        let received = Locked<[String]>([])
        let executor = FakeExecutor(queue: queue, fallback: .succeed, timers: clock) { event in
            received.mutate { $0.append("\(event)") }
        }
        queue.sync {
            executor.start(LaunchRequest(key: AttemptKey(job: 0, attempt: 1), jobName: "x", argv: [], workingDirectory: "/"))
            #expect(received.value.isEmpty)
        }
        queue.sync {}
        #expect(received.value.count == 2)
        #expect(executor.inFlight == 0)
    }
}

/// A value shared between the test and the executor's queue.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ body: (inout Value) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}
