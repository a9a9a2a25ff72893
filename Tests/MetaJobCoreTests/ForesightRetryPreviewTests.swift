import Testing
@testable import MetaJobCore

/// A finished run made by the real state machine, the preview of a retry of it, and what the state machine
/// actually restarts when the retry is sent.
struct FinishedRun {
    var harness: RunHarness
    let plans: [String: JobPlan]
    let limit: Int

    /// Runs `spec` to its end with the jobs in `failing` exiting 1 on every attempt (started jobs end in index order).
    init(_ spec: [(name: String, deps: [String])], failing: Set<String>, plans: [String: JobPlan] = [:], limit: Int = 15) {
        self.plans = plans
        self.limit = limit
        harness = RunHarness(spec, plans: plans, settings: RunSettings(maxConcurrentRunningJobs: limit))
        harness.start()
        while let j = harness.inFlight.keys.min() {
            let name = harness.state.graph.names[j]
            harness.now += 1
            harness.finish(name, failing.contains(name) ? .exited(code: 1) : .exited(code: 0))
        }
        precondition(harness.outcome != nil, "the run finished")
    }

    func state(_ name: String) -> JobState { harness.status(name) }
    /// The jobs and their dependencies, for a fresh run of the same graph.
    var spec: [(name: String, deps: [String])] {
        graph.names.indices.map { j in (name: graph.names[j], deps: graph.dependencies[j].map { graph.names[$0] }) }
    }
    var graph: JobGraph { harness.state.graph }
    func index(_ name: String) -> Int { harness.index(name) }
    func names(_ jobs: [Int]) -> [String] { jobs.map { graph.names[$0] } }

    /// The jobs as the preview takes them, with `durations` as their estimates.
    func jobs(_ durations: [String: Double] = [:]) -> [ForesightJob] {
        graph.names.indices.map { j in
            ForesightJob(state: harness.state.jobs[j].state,
                         estimate: durations[graph.names[j]].map { DurationEstimate(median: $0, p90: $0) },
                         failDagOnError: harness.state.plans[j].failDagOnError)
        }
    }

    func preview(_ request: RetryRequest, durations: [String: Double] = [:]) -> RetryPreview {
        RetryPreview(request, graph: graph, jobs: jobs(durations), concurrency: limit, now: harness.now)
    }

    /// The jobs the real state machine starts after `command`, every one succeeding.
    func restarted(by command: RunCommand) -> (started: Set<String>, reopened: Bool) {
        var h = harness
        h.startOrder = []
        let actions = h.command(command)
        let reopened = actions.contains { if case .runReopened = $0 { return true } else { return false } }
        h.drainSucceeding()
        return (Set(h.startOrder), reopened)
    }

    /// Checks that `request`'s preview names exactly the jobs `command` restarts, and returns the preview.
    @discardableResult
    func expectSame(_ request: RetryRequest, _ command: RunCommand, sourceLocation: SourceLocation = #_sourceLocation) -> RetryPreview {
        let p = preview(request)
        let real = restarted(by: command)
        #expect(Set(names(p.rerun)) == real.started, sourceLocation: sourceLocation)
        #expect(p.isRefused == !real.reopened, sourceLocation: sourceLocation)
        #expect(Set(p.rerun + p.reused + p.unchanged) == Set(graph.names.indices), "every job in one set", sourceLocation: sourceLocation)
        #expect(p.rerun.count + p.reused.count + p.unchanged.count == graph.count, sourceLocation: sourceLocation)
        return p
    }
}

@Suite("Foresight: retry previews (r, R, d, resume) cross-checked with RunState")
struct ForesightRetryPreviewTests {
    static let diamond: [(name: String, deps: [String])] = [
        ("job1", []), ("job2", ["job1"]), ("job3", ["job1"]), ("job4", ["job1"]),
        ("job5", ["job2", "job3"]), ("job6", ["job4"]),
    ]

    @Test func theFailedDiamondIsWhatTheTestsExpect() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        #expect(run.harness.outcome == .failed)
        #expect(["job1", "job3", "job4"].allSatisfy { run.state($0) == .succeeded })
        #expect(run.state("job2") == .userError)
        #expect(run.state("job5") == .notRun && run.state("job6") == .notRun)
    }

    @Test func retryTheFailedJob() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.expectSame(.job(run.index("job2")), .retry(job: run.index("job2")))
        #expect(run.names(p.rerun) == ["job2", "job5", "job6"], "its not_run dependent, and once no failure is left every not_run job")
        #expect(run.names(p.reused) == ["job1", "job3", "job4"])
        #expect(p.unchanged.isEmpty && !p.isRefused)
    }

    @Test func retryANotRunJobBehindAFailureRunsNothing() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.expectSame(.job(run.index("job5")), .retry(job: run.index("job5")))
        #expect(p.rerun.isEmpty && !p.isRefused, "job5 still waits for the failed job2: it ends not_run again")
        #expect(run.names(p.unchanged) == ["job2", "job5", "job6"])
        #expect(p.schedule.jobsLeft == 0 && p.schedule.remaining == 0)
    }

    @Test func retryASucceededJobIsRefused() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.expectSame(.job(run.index("job1")), .retry(job: run.index("job1")))
        #expect(p.isRefused && p.rerun.isEmpty)
    }

    @Test func retryEveryFailure() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.expectSame(.failed, .retryFailed)
        #expect(run.names(p.rerun) == ["job2", "job5", "job6"])
    }

    @Test func retryEveryFailureWithNoneIsRefused() {
        let run = FinishedRun(Self.diamond, failing: [])
        #expect(run.harness.outcome == .succeeded)
        let p = run.expectSame(.failed, .retryFailed)
        #expect(p.isRefused)
    }

    @Test func retryDownstreamOfTheRoot() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.expectSame(.downstream(run.index("job1")), .retryDownstream(job: run.index("job1")))
        #expect(p.rerun.count == 6 && p.reused.isEmpty, "succeeded jobs downstream run again too")
    }

    @Test func retryDownstreamOfASucceededJobWhileAnotherFailureStays() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.expectSame(.downstream(run.index("job3")), .retryDownstream(job: run.index("job3")))
        #expect(run.names(p.rerun) == ["job3"], "job5 is reset but still waits for the failed job2")
        #expect(run.names(p.unchanged) == ["job2", "job5", "job6"])
    }

    @Test func twoFatalFailuresRetryOne() {
        let spec: [(name: String, deps: [String])] = [("a", []), ("b", []), ("c", ["a"]), ("d", ["b"])]
        let run = FinishedRun(spec, failing: ["a", "b"])
        #expect(run.state("a") == .userError && run.state("b") == .userError)
        let one = run.expectSame(.job(run.index("a")), .retry(job: run.index("a")))
        #expect(run.names(one.rerun) == ["a", "c"])
        #expect(run.names(one.unchanged) == ["b", "d"])
        #expect(one.schedule.metaJobFailed, "b still fails the meta job")
        let all = run.expectSame(.failed, .retryFailed)
        #expect(run.names(all.rerun) == ["a", "b", "c", "d"])
        #expect(!all.schedule.metaJobFailed)
    }

    @Test func aNonFatalFailure() {
        let spec: [(name: String, deps: [String])] = [("x", []), ("y", ["x"])]
        let plans = ["x": JobPlan(name: "x", failDagOnError: false)]
        let run = FinishedRun(spec, failing: ["x"], plans: plans)
        #expect(run.harness.outcome == .succeeded && run.state("y") == .succeeded)
        let r = run.expectSame(.job(run.index("x")), .retry(job: run.index("x")))
        #expect(run.names(r.rerun) == ["x"] && run.names(r.reused) == ["y"], "y already ran: r does not rerun it")
        let d = run.expectSame(.downstream(run.index("x")), .retryDownstream(job: run.index("x")))
        #expect(run.names(d.rerun) == ["x", "y"])
        run.expectSame(.failed, .retryFailed)
    }

    /// Every command on every job of a few failed runs: the preview names what RunState restarts.
    @Test(arguments: [
        Set(["job2"]), Set(["job1"]), Set(["job4"]), Set(["job3", "job4"]), Set(["job5"]), Set(["job6"]),
    ])
    func everyCommandOnEveryJob(failing: Set<String>) {
        for nonFatal in [Set<String>(), Set(["job3"]), Set(["job4", "job5"])] {
            var plans: [String: JobPlan] = [:]
            for name in nonFatal { plans[name] = JobPlan(name: name, failDagOnError: false) }
            for limit in [1, 2, 15] {
                let run = FinishedRun(Self.diamond, failing: failing, plans: plans, limit: limit)
                run.expectSame(.failed, .retryFailed)
                for j in 0..<run.graph.count {
                    run.expectSame(.job(j), .retry(job: j))
                    run.expectSame(.downstream(j), .retryDownstream(job: j))
                }
            }
        }
    }

    @Test func theExpectedAddedTime() {
        let run = FinishedRun(Self.diamond, failing: ["job2"], limit: 2)
        // With two slots job4 was still queued when job2 failed: it ended not_run and runs again too.
        #expect(run.state("job4") == .notRun)
        let p = run.preview(.job(run.index("job2")), durations: ["job2": 10, "job4": 4, "job5": 5, "job6": 3])
        // job2 and job4 start together (two slots); job6 follows job4, job5 follows job2.
        #expect(run.names(p.rerun) == ["job2", "job4", "job5", "job6"])
        #expect(p.schedule.remaining == 15 && p.schedule.precision == .expected)
        #expect(run.names(p.schedule.criticalPath) == ["job2", "job5"])
        let unknown = run.preview(.job(run.index("job2")), durations: ["job2": 10, "job4": 4, "job6": 3])
        #expect(unknown.schedule.precision == .atLeast && unknown.schedule.remaining == 10)
    }

    // MARK: - resume

    /// The resumed run, as the runner makes it: the reused jobs marked, the rest run from the start.
    func resumed(_ run: FinishedRun, _ p: RetryPreview) -> Set<String> {
        var h = RunHarness(run.spec, plans: run.plans)
        h.state.markReused(Dictionary(uniqueKeysWithValues: p.reused.map { ($0, "previous") }))
        h.start()
        h.drainSucceeding()
        #expect(h.outcome == .succeeded)
        return Set(h.startOrder)
    }

    @Test func resumeRunsWhatDidNotSucceed() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.preview(.resume(rerun: []))
        #expect(run.names(p.rerun) == ["job2", "job5", "job6"])
        #expect(run.names(p.reused) == ["job1", "job3", "job4"] && p.unchanged.isEmpty)
        #expect(resumed(run, p) == Set(run.names(p.rerun)))
    }

    @Test func resumeWithNamedJobsRerunsThemAndEverythingDownstream() {
        let run = FinishedRun(Self.diamond, failing: ["job2"])
        let p = run.preview(.resume(rerun: [run.index("job3")]))
        #expect(run.names(p.rerun) == ["job2", "job3", "job5", "job6"], "job3 succeeded, yet it was named")
        #expect(run.names(p.reused) == ["job1", "job4"])
        #expect(resumed(run, p) == Set(run.names(p.rerun)))
        let root = run.preview(.resume(rerun: [run.index("job1")]))
        #expect(root.rerun.count == 6 && root.reused.isEmpty)
    }

    @Test func resumeOfAnInterruptedRunRunsWhatWasInFlight() {
        var f = ForesightFixture([("a", []), ("b", ["a"]), ("c", [])])
        f["a"].state = .succeeded
        f["b"].state = .running  // the process died while b ran
        f["c"].state = .queued
        f.takes("b", 20); f.takes("c", 30)
        let p = RetryPreview(.resume(rerun: []), graph: f.graph, jobs: f.jobs, concurrency: 1, now: 0)
        #expect(f.names(p.rerun) == ["b", "c"] && f.names(p.reused) == ["a"])
        #expect(p.schedule.remaining == 50 && !p.schedule.metaJobFailed)
        #expect(f.names(p.schedule.criticalPath) == ["b", "c"])
    }
}

