import Testing
@testable import MetaJobCore

@Suite("RunState: readiness, slots, delays, retries, failures, commands")
struct RunStateTests {
    static let diamond: [(name: String, deps: [String])] = [
        ("job1", []), ("job2", ["job1"]), ("job3", ["job1"]), ("job4", ["job1"]),
        ("job5", ["job2", "job3"]), ("job6", ["job4"]),
    ]

    @Test func jobsStartWhenTheirDependenciesFinish() {
        var h = RunHarness(Self.diamond)
        #expect(h.started(h.start()) == ["job1"])
        #expect(h.status("job2") == .pending)
        #expect(h.started(h.finish("job1")).sorted() == ["job2", "job3", "job4"])
        #expect(h.started(h.finish("job2")).isEmpty, "job5 still waits for job3")
        #expect(h.started(h.finish("job3")) == ["job5"])
        #expect(h.started(h.finish("job4")) == ["job6"])
        h.finish("job5")
        let last = h.finish("job6")
        #expect(h.finished(last) == .succeeded)
        #expect(h.state.jobs.allSatisfy { $0.state == .succeeded && $0.attempt == 1 })
    }

    @Test func emptyRunSucceedsAtOnce() {
        var h = RunHarness([])
        #expect(h.finished(h.start()) == .succeeded)
    }

    @Test func stateChangesArePublishedInOrder() {
        var h = RunHarness([("a", [])])
        h.start()
        h.running("a")
        h.finish("a", .exited(code: 0))
        let states = h.log.compactMap { if case .jobChanged(let u) = $0 { return u.state } else { return nil } }
        #expect(states == [.submitted, .running, .succeeded])
    }

    @Test func concurrencyLimitIsNeverExceededAndQueueIsFIFO() {
        let jobs = (0..<10).map { (name: "j\($0)", deps: [String]()) }
        var h = RunHarness(jobs, settings: RunSettings(maxConcurrentRunningJobs: 3))
        #expect(h.started(h.start()) == ["j0", "j1", "j2"])
        #expect(h.status("j3") == .queued)
        // A slot frees: the oldest queued job takes it in the same step — no timer involved.
        #expect(h.started(h.finish("j1")) == ["j3"])
        #expect(h.state.nextDeadline() == nil)
        h.drainSucceeding()
        #expect(h.peakInFlight == 3)
        #expect(h.startOrder == (0..<10).map { "j\($0)" })
        #expect(h.outcome == .succeeded)
    }

    @Test func queuedJobsAreAnnouncedOnlyWhenTheyWait() {
        var h = RunHarness([("a", []), ("b", [])], settings: RunSettings(maxConcurrentRunningJobs: 1))
        let actions = h.start()
        let updates = actions.compactMap { if case .jobChanged(let u) = $0 { return (h.state.graph.names[u.job], u.state) } else { return nil } }
        #expect(updates.map(\.0) == ["a", "b"])
        #expect(updates.map(\.1) == [.submitted, .queued])
    }

    @Test func refusedStartWaitsInTheDelayQueueWithItsReason() {
        let settings = RunSettings(delayedJobsMinDelaySeconds: 30, delayedJobsRandomizedAddedDelaySeconds: 600)
        var h = RunHarness([("a", []), ("b", ["a"])], settings: settings)
        h.start()
        h.now = 5
        let j = h.index("a")
        h.send(.attemptRefused(job: j, attempt: 1, reason: .conflict(message: "already running")))
        let r = h.record("a")
        #expect(r.state == .delayed)
        #expect(r.delayReason == .conflict(message: "already running"))
        let readyAt = try! #require(r.readyAt)
        #expect(readyAt >= 35 && readyAt <= 635)
        #expect(h.state.delayedCount == 1)
        #expect(h.state.slotsUsed == 0, "a delayed job holds no slot")
        #expect(h.state.nextDeadline() == readyAt)
        #expect(h.advance(to: readyAt - 0.001).isEmpty)
        let again = h.advance(to: readyAt)
        #expect(h.started(again) == ["a"])
        #expect(h.record("a").attempt == 1, "a refused start does not use up an attempt")
        h.finish("a")
        h.finish("b")
        #expect(h.outcome == .succeeded)
    }

    @Test func serverErrorsDelayToo() {
        var h = RunHarness([("a", [])], settings: RunSettings(delayedJobsMinDelaySeconds: 1, delayedJobsRandomizedAddedDelaySeconds: 0))
        h.start()
        h.send(.attemptRefused(job: 0, attempt: 1, reason: .serverError(message: "503")))
        #expect(h.record("a").readyAt == 1)
        #expect(h.record("a").delayReason?.code == "server_error")
    }

    @Test func retriesBackOffExponentiallyWithJitter() {
        let plan = JobPlan(name: "flaky", retries: 3, retryDelaySeconds: 10)
        var h = RunHarness([("flaky", []), ("after", ["flaky"])], plans: ["flaky": plan])
        h.start()
        var expectedBase = 10.0
        for attempt in 1...3 {
            let t0 = h.now
            let actions = h.finish("flaky", .exited(code: 1))
            let updates = actions.compactMap { if case .jobChanged(let u) = $0 { return u } else { return nil } }
            #expect(updates.map(\.state) == [.userError, .delayed], "attempt \(attempt) failure announced, then delayed")
            #expect(updates[0].exitCode == 1 && updates[0].attempt == attempt)
            let r = h.record("flaky")
            #expect(r.delayReason == .retryBackoff)
            let wait = r.readyAt! - t0
            #expect(wait >= expectedBase && wait < expectedBase * 1.1, "attempt \(attempt): waited \(wait)")
            #expect(h.started(h.advance(to: r.readyAt!)) == ["flaky"])
            #expect(h.record("flaky").attempt == attempt + 1)
            expectedBase *= 2
        }
        let last = h.finish("flaky", .exited(code: 0))
        #expect(h.started(last) == ["after"])
        h.finish("after")
        #expect(h.outcome == .succeeded)
    }

    @Test func retriesRunOutIntoFailure() {
        var h = RunHarness([("a", [])], plans: ["a": JobPlan(name: "a", retries: 1, retryDelaySeconds: 1)])
        h.start()
        h.finish("a", .exited(code: 2))
        h.advance(to: 2)
        let end = h.finish("a", .exited(code: 2))
        #expect(h.finished(end) == .failed)
        #expect(h.record("a").state == .userError)
        #expect(h.record("a").attempt == 2)
        #expect(h.record("a").exitCode == 2)
    }

    @Test func failureWithFailDagOnErrorStopsNewStartsAndWaitsForRunning() {
        var h = RunHarness([("a", []), ("b", []), ("c", ["a"]), ("d", ["b"])], settings: RunSettings(maxConcurrentRunningJobs: 2))
        h.start()
        let afterFail = h.finish("a", .exited(code: 1))
        #expect(h.started(afterFail).isEmpty)
        #expect(h.status("c") == .notRun)
        #expect(h.status("b") == .submitted, "running jobs are waited for")
        #expect(h.outcome == nil)
        #expect(!afterFail.contains { if case .terminateAttempt = $0 { return true } else { return false } })
        let end = h.finish("b")
        #expect(h.finished(end) == .failed)
        #expect(h.status("d") == .notRun, "b succeeded but the meta job had failed: d never starts")
        #expect(h.status("a") == .userError)
        #expect(h.record("c").reason?.contains("meta job failed") == true)
    }

    @Test func onFailureCancelTerminatesRunningJobs() {
        var h = RunHarness([("a", []), ("b", [])], settings: RunSettings(onFailure: .cancel, terminationGraceSeconds: 7))
        h.start()
        h.running("b")
        let actions = h.finish("a", .exited(code: 1))
        #expect(actions.contains(.terminateAttempt(job: h.index("b"), attempt: 1, graceSeconds: 7)))
        let end = h.finish("b", .signaled(signal: 15))
        #expect(h.finished(end) == .failed)
        #expect(h.status("b") == .cancelled)
    }

    @Test func failureWithoutFailDagOnErrorLetsDependentsRun() {
        var h = RunHarness([("a", []), ("b", ["a"])], plans: ["a": JobPlan(name: "a", failDagOnError: false)])
        h.start()
        #expect(h.started(h.finish("a", .exited(code: 3))) == ["b"])
        let end = h.finish("b")
        #expect(h.finished(end) == .succeeded)
        #expect(h.status("a") == .userError)
    }

    @Test func outcomesMapToVDKStatuses() {
        var h = RunHarness([("ok", []), ("user", []), ("sig", []), ("spawn", []), ("skip", [])].map { ($0.0, $0.1) },
                           plans: Dictionary(uniqueKeysWithValues: ["ok", "user", "sig", "spawn", "skip"].map { ($0, JobPlan(name: $0, failDagOnError: false)) }))
        h.start()
        h.finish("ok", .exited(code: 0))
        h.finish("user", .exited(code: 4))
        h.finish("sig", .signaled(signal: 9))
        h.finish("spawn", .spawnFailed(message: "cannot start `nope`: No such file or directory"))
        h.finish("skip", .status(.skipped, exitCode: 0, reason: nil))
        #expect(h.status("ok") == .succeeded)
        #expect(h.status("user") == .userError && h.record("user").exitCode == 4)
        #expect(h.status("sig") == .platformError && h.record("sig").reason == "killed by signal 9 (SIGKILL)")
        #expect(h.status("spawn") == .platformError && h.record("spawn").reason?.contains("nope") == true)
        #expect(h.status("skip") == .skipped)
        #expect(h.outcome == .succeeded)
    }

    @Test func timeoutTerminatesAndEndsAsPlatformError() {
        var h = RunHarness([("slow", [])], plans: ["slow": JobPlan(name: "slow", timeoutSeconds: 2.5)],
                           settings: RunSettings(terminationGraceSeconds: 1))
        h.start()
        h.running("slow")
        #expect(h.state.nextDeadline() == 2.5)
        #expect(h.advance(to: 2.4).isEmpty)
        #expect(h.advance(to: 2.5) == [.terminateAttempt(job: 0, attempt: 1, graceSeconds: 1)])
        let end = h.finish("slow", .signaled(signal: 15))
        #expect(h.finished(end) == .failed)
        #expect(h.status("slow") == .platformError)
        #expect(h.record("slow").reason == "timed out after 2.5s")
    }

    @Test func timeoutOfAnEarlierAttemptDoesNotFireOnTheNext() {
        var h = RunHarness([("a", [])], plans: ["a": JobPlan(name: "a", retries: 1, retryDelaySeconds: 1, timeoutSeconds: 10)])
        h.start()
        h.finish("a", .exited(code: 1))
        h.advance(to: 1.2)
        #expect(h.record("a").attempt == 2)
        // The first attempt's deadline (t=10) is stale; the second one's is 1.2 + 10.
        #expect(h.state.nextDeadline()! > 11)
    }

    @Test func cancelARunningJob() {
        var h = RunHarness([("a", []), ("b", ["a"])])
        h.start()
        h.running("a")
        #expect(h.command(.cancel(job: 0)) == [.terminateAttempt(job: 0, attempt: 1, graceSeconds: 10)])
        #expect(h.command(.cancel(job: 0)).isEmpty, "cancelling twice asks once")
        let end = h.finish("a", .exited(code: 0))
        #expect(h.status("a") == .cancelled, "a job we terminated is cancelled whatever its exit code")
        #expect(h.status("b") == .notRun)
        #expect(h.finished(end) == .failed)
    }

    @Test func cancelAWaitingJobWithoutFailDag() {
        var h = RunHarness([("a", []), ("b", []), ("c", ["b"])], plans: ["b": JobPlan(name: "b", failDagOnError: false)],
                           settings: RunSettings(maxConcurrentRunningJobs: 1))
        h.start()
        #expect(h.status("b") == .queued)
        h.command(.cancel(job: h.index("b")))
        #expect(h.status("b") == .cancelled)
        #expect(h.status("c") == .queued, "a cancelled job that does not fail the DAG releases its dependents")
        h.drainSucceeding()
        #expect(h.outcome == .succeeded)
    }

    @Test func pauseStopsNewStartsAndResumeRestarts() {
        var h = RunHarness([("a", []), ("b", ["a"])])
        h.start()
        #expect(h.command(.pause) == [.controlsChanged(paused: true, limit: 15)])
        #expect(h.started(h.finish("a")).isEmpty)
        #expect(h.status("b") == .queued)
        #expect(h.outcome == nil, "a paused run with work left does not finish")
        #expect(h.started(h.command(.resume)) == ["b"])
        h.finish("b")
        #expect(h.outcome == .succeeded)
    }

    @Test func concurrencyLimitChangesLive() {
        let jobs = (0..<6).map { (name: "j\($0)", deps: [String]()) }
        var h = RunHarness(jobs, settings: RunSettings(maxConcurrentRunningJobs: 1))
        h.start()
        #expect(h.started(h.command(.setConcurrency(3))) == ["j1", "j2"])
        h.command(.setConcurrency(1))
        #expect(h.started(h.finish("j0")).isEmpty, "3 running > limit 1: nothing starts")
        #expect(h.started(h.finish("j1")).isEmpty)
        #expect(h.started(h.finish("j2")) == ["j3"])
        #expect(h.command(.setConcurrency(0)) == [], "the limit never drops below 1")
    }

    @Test func retryingAFailedJobReopensTheRunAndItsNotRunDependents() {
        var h = RunHarness([("a", []), ("b", ["a"]), ("c", [])], settings: RunSettings(maxConcurrentRunningJobs: 1))
        h.start()
        h.finish("a", .exited(code: 1))
        #expect(h.outcome == .failed)
        #expect(h.status("b") == .notRun && h.status("c") == .notRun)
        let actions = h.command(.retry(job: h.index("a")))
        #expect(actions.contains(.runReopened))
        #expect(h.started(actions) == ["a"])
        #expect(h.record("a").attempt == 2)
        #expect(h.status("b") == .pending)
        #expect(h.status("c") == .queued, "no failure left: the meta job goes on as if it never failed")
        h.drainSucceeding()
        #expect(h.outcome == .succeeded)
        #expect(h.startOrder == ["a", "a", "c", "b"])
    }

    @Test func retryWhileAnotherFailureRemainsRunsOnlyThatJobAndItsDownstream() {
        var h = RunHarness([("a", []), ("b", []), ("a2", ["a"]), ("b2", ["b"]), ("x", [])],
                           settings: RunSettings(maxConcurrentRunningJobs: 2))
        h.start()
        h.finish("a", .exited(code: 1))
        h.finish("b", .exited(code: 1))
        #expect(h.outcome == .failed)
        h.command(.retry(job: h.index("a")))
        #expect(h.status("a2") == .pending)
        #expect(h.status("x") == .notRun, "b still fails the meta job")
        #expect(h.started(h.finish("a")) == ["a2"])
        let end = h.finish("a2")
        #expect(h.finished(end) == .failed)
        #expect(h.status("b2") == .notRun)
        // Retrying every failed job clears the failure and everything left runs.
        h.command(.retryFailed)
        h.drainSucceeding()
        #expect(h.outcome == .succeeded)
        #expect(h.state.jobs.allSatisfy { $0.state == .succeeded })
    }

    @Test func retryDownstreamRerunsSuccessfulJobsToo() {
        var h = RunHarness([("a", []), ("b", ["a"]), ("c", ["b"]), ("other", [])])
        h.start()
        h.drainSucceeding()
        h.drainSucceeding()
        h.drainSucceeding()
        #expect(h.outcome == .succeeded)
        let actions = h.command(.retryDownstream(job: h.index("b")))
        #expect(actions.contains(.runReopened))
        #expect(h.started(actions) == ["b"])
        #expect(h.status("c") == .pending)
        #expect(h.status("a") == .succeeded && h.status("other") == .succeeded)
        h.finish("b")
        h.finish("c")
        #expect(h.outcome == .succeeded)
        #expect(h.record("c").attempt == 2)
    }

    @Test func stopCancelsRunningAndEndsOthersNotRun() {
        var h = RunHarness([("a", []), ("b", ["a"])])
        h.start()
        h.running("a")
        #expect(h.command(.stop(immediate: false)).first == .terminateAttempt(job: 0, attempt: 1, graceSeconds: 10))
        #expect(h.status("b") == .notRun)
        #expect(h.command(.stop(immediate: false)) == [.terminateAttempt(job: 0, attempt: 1, graceSeconds: 0)],
                "a second stop skips the grace period")
        let end = h.finish("a", .signaled(signal: 15))
        #expect(h.finished(end) == .cancelled)
        #expect(h.status("a") == .cancelled)
    }

    @Test func lateEventsForOldAttemptsAreIgnored() {
        var h = RunHarness([("a", [])], plans: ["a": JobPlan(name: "a", retries: 1, retryDelaySeconds: 1)])
        h.start()
        h.finish("a", .exited(code: 1))
        h.advance(to: 5)
        #expect(h.send(.attemptFinished(job: 0, attempt: 1, outcome: .exited(code: 0))).isEmpty)
        #expect(h.record("a").state == .submitted && h.record("a").attempt == 2)
    }

    @Test func reusedJobsCountAsSucceeded() {
        var h = RunHarness(Self.diamond)
        h.state.markReused([h.index("job1"): "run-1", h.index("job2"): "run-1"])
        #expect(h.started(h.start()).sorted() == ["job3", "job4"])
        #expect(h.record("job1").reusedFrom == "run-1")
        h.drainSucceeding()
        h.drainSucceeding()
        #expect(h.outcome == .succeeded)
    }

    @Test func slotCountsStayConsistentThroughALargeLayeredRun() {
        // 30 levels x 30 jobs, each depending on two jobs of the level above.
        var jobs: [(name: String, deps: [String])] = []
        for level in 0..<30 {
            for i in 0..<30 {
                let deps = level == 0 ? [] : ["l\(level - 1)_\(i)", "l\(level - 1)_\((i * 7 + 3) % 30)"]
                jobs.append(("l\(level)_\(i)", deps))
            }
        }
        var h = RunHarness(jobs, settings: RunSettings(maxConcurrentRunningJobs: 4))
        h.start()
        var finishedOrder: [Int] = []
        while let (j, _) = h.inFlight.min(by: { $0.key < $1.key }) {
            #expect(h.state.slotsUsed <= 4)
            finishedOrder.append(j)
            h.finish(h.state.graph.names[j])
        }
        #expect(h.outcome == .succeeded)
        #expect(h.peakInFlight == 4)
        #expect(finishedOrder.count == 900)
        // Every job finished after all of its dependencies.
        var position = [Int: Int]()
        for (p, j) in finishedOrder.enumerated() { position[j] = p }
        for j in 0..<900 { for d in h.state.graph.dependencies[j] { #expect(position[d]! < position[j]!) } }
    }
}

/// VDK's `finalize_job`: with `fail_dag_on_error: true` any final status but succeeded fails the DAG — skipped too.
@Suite struct SkippedFailsDAGTests {
    @Test func skippedWithFailDagOnErrorFailsTheMetaJobAndItsDependentsDoNotRun() {
        var h = RunHarness([("skip", []), ("after", ["skip"])], plans: ["skip": JobPlan(name: "skip", failDagOnError: true)])
        h.start()
        let end = h.finish("skip", .status(.skipped, exitCode: 0, reason: nil))
        #expect(h.status("skip") == .skipped)
        #expect(h.status("after") == .notRun)
        #expect(h.finished(end) == .failed)
    }

    @Test func skippedWithoutFailDagOnErrorLetsDependentsRun() {
        var h = RunHarness([("skip", []), ("after", ["skip"])], plans: ["skip": JobPlan(name: "skip", failDagOnError: false)])
        h.start()
        #expect(h.started(h.finish("skip", .status(.skipped, exitCode: 0, reason: nil))) == ["after"])
        #expect(h.finished(h.finish("after")) == .succeeded)
    }
}
