import Testing
@testable import MetaJobCore

/// A small DAG with named jobs for hand-computed schedules.
struct ForesightFixture {
    let graph: JobGraph
    var jobs: [ForesightJob]

    /// Jobs pending with no estimate unless set.
    init(_ spec: [(name: String, deps: [String])]) {
        graph = JobGraph(names: spec.map(\.name), dependsOn: spec.map(\.deps))
        jobs = spec.map { _ in ForesightJob(state: .pending) }
    }

    subscript(name: String) -> ForesightJob {
        get { jobs[graph.index[name]!] }
        set { jobs[graph.index[name]!] = newValue }
    }

    /// Sets `name`'s estimate to a fixed `median` (p90 as given, else the same).
    mutating func takes(_ name: String, _ median: Double, p90: Double? = nil) {
        self[name].estimate = DurationEstimate(median: median, p90: p90 ?? median)
    }

    func schedule(concurrency: Int, now: Double, stopping: Bool = false) -> ForesightSchedule {
        ForesightSchedule(graph: graph, jobs: jobs, concurrency: concurrency, now: now, stopping: stopping)
    }

    func span(_ s: ForesightSchedule, _ name: String) -> ForesightSpan? { s.spans[graph.index[name]!] }
    func names(_ path: [Int]) -> [String] { path.map { graph.names[$0] } }
}

@Suite("Foresight: ETA simulation and critical path against hand-computed schedules")
struct ForesightScheduleTests {
    static let diamond: [(name: String, deps: [String])] = [("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["b", "c"])]

    @Test func chainWithARunningHead() {
        var f = ForesightFixture([("a", []), ("b", ["a"]), ("c", ["b"])])
        f["a"] = ForesightJob(state: .running, startedAt: 90)
        f.takes("a", 30); f.takes("b", 10); f.takes("c", 5)
        let s = f.schedule(concurrency: 4, now: 100)
        #expect(s.end == 135 && s.remaining == 35 && s.precision == .expected)
        #expect(f.span(s, "a") == ForesightSpan(start: 90, end: 120, isEstimated: true))
        #expect(f.span(s, "b") == ForesightSpan(start: 120, end: 130, isEstimated: true))
        #expect(f.span(s, "c") == ForesightSpan(start: 130, end: 135, isEstimated: true))
        #expect(f.names(s.criticalPath) == ["a", "b", "c"])
        #expect(s.jobsLeft == 3 && s.jobsWithoutEstimate == 0)
    }

    @Test func diamondWithTwoSlots() {
        var f = ForesightFixture(Self.diamond)
        f["a"].state = .succeeded
        f["b"] = ForesightJob(state: .queued, queuedAt: 0)
        f["c"] = ForesightJob(state: .queued, queuedAt: 0)
        f.takes("b", 10); f.takes("c", 20); f.takes("d", 5)
        let s = f.schedule(concurrency: 2, now: 0)
        #expect(f.span(s, "b")?.end == 10 && f.span(s, "c")?.end == 20)
        #expect(f.span(s, "d") == ForesightSpan(start: 20, end: 25, isEstimated: true))
        #expect(s.end == 25)
        #expect(f.names(s.criticalPath) == ["c", "d"], "d waited for c, the later dependency")
        #expect(f.span(s, "a") == nil, "done jobs have no bar")
    }

    @Test func diamondWithOneSlotFollowsTheSlots() {
        var f = ForesightFixture(Self.diamond)
        f["a"].state = .succeeded
        f["b"] = ForesightJob(state: .queued, queuedAt: 0)
        f["c"] = ForesightJob(state: .queued, queuedAt: 0)
        f.takes("b", 10); f.takes("c", 20); f.takes("d", 5)
        let s = f.schedule(concurrency: 1, now: 0)
        #expect(f.span(s, "b") == ForesightSpan(start: 0, end: 10, isEstimated: true))
        #expect(f.span(s, "c") == ForesightSpan(start: 10, end: 30, isEstimated: true))
        #expect(f.span(s, "d") == ForesightSpan(start: 30, end: 35, isEstimated: true))
        #expect(s.end == 35)
        #expect(f.names(s.criticalPath) == ["b", "c", "d"], "c waited for b's slot, not for a dependency")
    }

    @Test func wholeDiamondFromTheStart() {
        var f = ForesightFixture(Self.diamond)
        f.takes("a", 3); f.takes("b", 10); f.takes("c", 4); f.takes("d", 1)
        let s = f.schedule(concurrency: 15, now: 1000)
        #expect(s.end == 1014 && s.precision == .expected)
        #expect(f.names(s.criticalPath) == ["a", "b", "d"])
    }

    @Test func queuedJobsStartInTheOrderTheyWereQueued() {
        var f = ForesightFixture([("x", []), ("y", []), ("z", [])])
        f["x"] = ForesightJob(state: .queued, queuedAt: 5)
        f["y"] = ForesightJob(state: .queued, queuedAt: 3)
        f["z"] = ForesightJob(state: .queued, queuedAt: 4)
        f.takes("x", 1); f.takes("y", 2); f.takes("z", 3)
        let s = f.schedule(concurrency: 1, now: 10)
        #expect(f.span(s, "y")?.start == 10 && f.span(s, "z")?.start == 12 && f.span(s, "x")?.start == 15)
        #expect(s.end == 16)
        #expect(f.names(s.criticalPath) == ["y", "z", "x"])
    }

    @Test func concurrencyNFillsEverySlot() {
        // Six independent 10 s jobs, three slots: two rounds.
        var f = ForesightFixture((0..<6).map { (name: "j\($0)", deps: [String]()) })
        for i in 0..<6 { f.takes("j\(i)", 10) }
        let s = f.schedule(concurrency: 3, now: 0)
        #expect(s.end == 20)
        #expect((0..<3).allSatisfy { f.span(s, "j\($0)")?.start == 0 })
        #expect((3..<6).allSatisfy { f.span(s, "j\($0)")?.start == 10 })
        #expect(s.criticalPath.count == 2)
        #expect(f.schedule(concurrency: 1, now: 0).end == 60)
        #expect(f.schedule(concurrency: 0, now: 0).end == 60, "a limit below 1 means 1, as in RunState")
    }

    @Test func aLoweredLimitWaitsUntilRunningJobsDropBelowIt() {
        var f = ForesightFixture([("r1", []), ("r2", []), ("r3", []), ("q", [])])
        for (name, end) in [("r1", 10.0), ("r2", 20), ("r3", 30)] {
            f[name] = ForesightJob(state: .running, estimate: DurationEstimate(median: end, p90: end), startedAt: 0)
        }
        f["q"] = ForesightJob(state: .queued, queuedAt: 0)
        f.takes("q", 5)
        let s = f.schedule(concurrency: 1, now: 0)
        #expect(f.span(s, "q") == ForesightSpan(start: 30, end: 35, isEstimated: true))
        #expect(f.names(s.criticalPath) == ["r3", "q"])
    }

    @Test func delayedJobsWaitForTheirDeadline() {
        var f = ForesightFixture([("a", []), ("b", []), ("c", ["a"])])
        f["a"] = ForesightJob(state: .delayed, readyAt: 50)
        f["b"] = ForesightJob(state: .queued, queuedAt: 0)
        f.takes("a", 10); f.takes("b", 5); f.takes("c", 1)
        let s = f.schedule(concurrency: 1, now: 0)
        #expect(f.span(s, "b") == ForesightSpan(start: 0, end: 5, isEstimated: true))
        #expect(f.span(s, "a") == ForesightSpan(start: 50, end: 60, isEstimated: true))
        #expect(s.end == 61)
        #expect(f.names(s.criticalPath) == ["a", "c"], "the chain starts at the delay's deadline")
    }

    @Test func aDelayDueInThePastIsReadyNow() {
        var f = ForesightFixture([("a", [])])
        f["a"] = ForesightJob(state: .delayed, readyAt: -5)
        f.takes("a", 10)
        #expect(f.schedule(concurrency: 1, now: 0).end == 10)
    }

    @Test func aDelayedJobPastItsDeadlineStillWaitsForASlot() {
        var f = ForesightFixture([("a", []), ("b", [])])
        f["a"] = ForesightJob(state: .running, estimate: DurationEstimate(median: 80, p90: 80), startedAt: 0)
        f["b"] = ForesightJob(state: .delayed, readyAt: 20)
        f.takes("b", 10)
        let s = f.schedule(concurrency: 1, now: 10)
        #expect(f.span(s, "b") == ForesightSpan(start: 80, end: 90, isEstimated: true))
        #expect(f.names(s.criticalPath) == ["a", "b"])
    }

    @Test func anUnknownJobMakesALowerBound() {
        var f = ForesightFixture([("a", []), ("b", ["a"]), ("c", ["b"])])
        f.takes("a", 10); f.takes("c", 5)
        let s = f.schedule(concurrency: 2, now: 0)
        #expect(s.precision == .atLeast && s.end == 15 && s.jobsWithoutEstimate == 1)
        #expect(f.span(s, "b") == ForesightSpan(start: 10, end: 10, isEstimated: false))
        #expect(f.names(s.criticalPath) == ["a", "b", "c"])
    }

    @Test func onlyUnknownJobsIsNoEstimate() {
        let f = ForesightFixture([("a", []), ("b", ["a"])])
        let s = f.schedule(concurrency: 2, now: 7)
        #expect(s.precision == .none && s.end == 7 && s.jobsLeft == 2 && s.jobsWithoutEstimate == 2)
    }

    @Test func anUnknownJobBehindADelayIsAtLeastTheDeadline() {
        var f = ForesightFixture([("a", [])])
        f["a"] = ForesightJob(state: .delayed, readyAt: 30)
        let s = f.schedule(concurrency: 1, now: 0)
        #expect(s.precision == .atLeast && s.end == 30)
    }

    @Test func anOverdueJobCountsAsUnknown() {
        var f = ForesightFixture([("a", []), ("b", ["a"])])
        f["a"] = ForesightJob(state: .running, estimate: DurationEstimate(median: 10, p90: 20), startedAt: 0)
        f.takes("b", 5)
        let s = f.schedule(concurrency: 1, now: 100)
        #expect(s.precision == .atLeast && s.end == 105)
        #expect(f.span(s, "a") == ForesightSpan(start: 0, end: 100, isEstimated: false))
        f["b"].state = .succeeded
        #expect(f.schedule(concurrency: 1, now: 100).precision == .none, "only the overdue job is left")
        var slow = ForesightFixture([("a", [])])
        slow["a"] = ForesightJob(state: .running, estimate: DurationEstimate(median: 10, p90: 20), startedAt: 0)
        let past = slow.schedule(concurrency: 1, now: 15)
        #expect(past.end == 20 && past.precision == .expected, "past the median, before the p90: until the p90")
    }

    @Test func nothingLeftEndsNow() {
        var f = ForesightFixture(Self.diamond)
        for name in ["a", "b", "c", "d"] { f[name].state = .succeeded }
        let s = f.schedule(concurrency: 2, now: 42)
        #expect(s.end == 42 && s.remaining == 0 && s.precision == .expected && s.criticalPath.isEmpty && s.jobsLeft == 0)
    }

    @Test func aNonFatalFailureCountsAsDone() {
        var f = ForesightFixture([("a", []), ("b", ["a"])])
        f["a"] = ForesightJob(state: .userError, failDagOnError: false)
        f.takes("b", 7)
        let s = f.schedule(concurrency: 1, now: 0)
        #expect(s.end == 7 && !s.metaJobFailed && f.span(s, "b")?.start == 0)
        #expect(f.names(s.criticalPath) == ["b"])
    }

    @Test func aFatalFailureStartsNothingNewButWaitsForRunningJobs() {
        var f = ForesightFixture([("bad", []), ("b", []), ("c", ["b"]), ("d", [])])
        f["bad"] = ForesightJob(state: .userError)
        f["b"] = ForesightJob(state: .running, estimate: DurationEstimate(median: 10, p90: 10), startedAt: 0)
        f["d"] = ForesightJob(state: .queued, queuedAt: 0)
        f.takes("c", 100); f.takes("d", 100)
        let s = f.schedule(concurrency: 4, now: 4)
        #expect(s.metaJobFailed)
        #expect(s.end == 10 && s.jobsLeft == 1 && s.precision == .expected)
        #expect(f.span(s, "c") == nil && f.span(s, "d") == nil, "they will end not_run")
        #expect(f.names(s.criticalPath) == ["b"])
    }

    @Test func aFatalFailureStillRunsWhatTheUserRetried() {
        var f = ForesightFixture([("bad", []), ("b", []), ("again", []), ("after", ["again"])])
        f["bad"] = ForesightJob(state: .userError)
        f["b"] = ForesightJob(state: .running, estimate: DurationEstimate(median: 10, p90: 10), startedAt: 0)
        f["again"] = ForesightJob(state: .queued, queuedAt: 4, forced: true)
        f["after"] = ForesightJob(state: .pending, forced: true)
        f.takes("again", 3); f.takes("after", 2)
        let s = f.schedule(concurrency: 1, now: 4)
        #expect(s.metaJobFailed)
        #expect(f.span(s, "again") == ForesightSpan(start: 10, end: 13, isEstimated: true))
        #expect(s.end == 15)
        #expect(f.names(s.criticalPath) == ["b", "again", "after"])
    }

    @Test func aFailedRunWithNothingRunningIsDone() {
        var f = ForesightFixture([("bad", []), ("later", ["bad"])])
        f["bad"] = ForesightJob(state: .platformError)
        f["later"] = ForesightJob(state: .notRun)
        let s = f.schedule(concurrency: 1, now: 9)
        #expect(s.metaJobFailed && s.end == 9 && s.jobsLeft == 0 && s.criticalPath.isEmpty)
    }

    @Test func stoppingStartsNothingNew() {
        var f = ForesightFixture([("a", []), ("b", [])])
        f["a"] = ForesightJob(state: .running, estimate: DurationEstimate(median: 10, p90: 10), startedAt: 0)
        f["b"] = ForesightJob(state: .queued, queuedAt: 0)
        f.takes("b", 50)
        let s = f.schedule(concurrency: 2, now: 0, stopping: true)
        #expect(s.end == 10 && f.span(s, "b") == nil)
    }

    /// Random DAGs run through the real RunState with these durations start every job exactly when the
    /// simulation says, from the start and from the middle of the run.
    @Test(arguments: [1, 2, 3, 5, 8])
    func matchesTheRealStateMachine(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        let n = 40
        var spec: [(name: String, deps: [String])] = []
        for i in 0..<n {
            let count = i == 0 ? 0 : Int(random.next() % 3)
            let deps = Set((0..<count).map { _ in Int(random.next() % UInt64(i)) }).sorted().map { "j\($0)" }
            spec.append((name: "j\(i)", deps: deps))
        }
        let durations = (0..<n).map { _ in 1 + Double(random.next() % 1_000_000) / 1000 }
        let limit = 1 + seed % 4
        var h = RunHarness(spec, settings: RunSettings(maxConcurrentRunningJobs: limit))
        var starts = [Double?](repeating: nil, count: n)
        var queuedAt = [Double?](repeating: nil, count: n)
        var middle: ForesightSchedule?
        func note(_ actions: [RunAction], _ h: RunHarness) {
            for action in actions {
                switch action {
                case let .startAttempt(j, _): starts[j] = h.now
                case let .jobChanged(u) where u.state == .queued: queuedAt[u.job] = h.now
                default: break
                }
            }
        }
        note(h.start(), h)
        var steps = 0
        while let j = h.inFlight.keys.min(by: { starts[$0]! + durations[$0] < starts[$1]! + durations[$1] }) {
            h.now = starts[j]! + durations[j]
            note(h.finish(h.state.graph.names[j]), h)
            steps += 1
            if steps == n / 3 {
                let jobs = (0..<n).map { k in
                    let r = h.state.jobs[k]
                    return ForesightJob(state: r.state, estimate: DurationEstimate(median: durations[k], p90: durations[k]),
                                        startedAt: r.startedAt, queuedAt: queuedAt[k])
                }
                middle = ForesightSchedule(graph: h.state.graph, jobs: jobs, concurrency: limit, now: h.now)
            }
        }
        #expect(h.outcome == .succeeded)
        var f = ForesightFixture(spec)
        for k in 0..<n { f.jobs[k].estimate = DurationEstimate(median: durations[k], p90: durations[k]) }
        let whole = f.schedule(concurrency: limit, now: 0)
        let lastEnd = (0..<n).map { starts[$0]! + durations[$0] }.max()!
        #expect(whole.end == lastEnd)
        for k in 0..<n { #expect(whole.spans[k]?.start == starts[k], "job j\(k) from the start") }
        // From the middle, running jobs' ends are recomputed from their elapsed time: equal up to rounding.
        let m = try #require(middle)
        #expect(abs(m.end - lastEnd) < 1e-6)
        #expect(m.jobsLeft > 0)
        for k in 0..<n {
            guard let span = m.spans[k] else { continue }
            #expect(abs(span.start - starts[k]!) < 1e-6, "job j\(k) from the middle")
        }
        // The critical path is a chain of back-to-back jobs ending with the last one.
        let path = whole.criticalPath
        #expect(whole.spans[path.last!]?.end == lastEnd)
        #expect(whole.spans[path.first!]?.start == 0)
        for (a, b) in zip(path, path.dropFirst()) { #expect(whole.spans[a]!.end == whole.spans[b]!.start) }
    }
}
