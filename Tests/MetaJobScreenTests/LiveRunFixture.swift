import MetaJobCore
@testable import MetaJobScreen

/// A real `RunState` driven by hand (manual clock), turned into the snapshot and events a session would send.
struct LiveRunFixture {
    static let origin = 1_764_000_000.0
    var state: RunState
    let info: RunInfo
    var now = 0.0
    var sequence: UInt64 = 0
    var events: [RunEvent] = []

    /// The demo-like DAG: extract → clean-a, clean-b → load → report (report also needs extract: a long edge).
    static let demo: [(String, [String])] = [
        ("extract", []), ("clean-a", ["extract"]), ("clean-b", ["extract"]), ("load", ["clean-a", "clean-b"]),
        ("report", ["load", "extract"]),
    ]

    init(_ jobs: [(String, [String])] = LiveRunFixture.demo, limit: Int = 2, retries: Int = 0) {
        let definitions = jobs.map { JobDefinition(name: $0.0, dependsOn: $0.1, retries: retries) }
        let graph = JobGraph(names: jobs.map(\.0), dependsOn: jobs.map(\.1))
        state = RunState(graph: graph, plans: definitions.map(JobPlan.init),
                         settings: RunSettings(maxConcurrentRunningJobs: limit))
        info = RunInfo(runId: "20251124-160000-ab12", metaJobName: "nightly", startedBy: "manual/nightly", jobs: definitions)
    }

    func index(_ name: String) -> Int { state.graph.index[name]! }

    var snapshot: RunSnapshot {
        RunSnapshot(info: info, state: state, sequence: sequence, wallClockOrigin: LiveRunFixture.origin)
    }

    /// Feeds an input at run time `at`; the actions become events.
    mutating func send(_ input: RunInput, at time: Double? = nil) {
        if let time { now = time }
        for action in state.handle(input, now: now) {
            let kind: RunEvent.Kind
            switch action {
            case .jobChanged(let update): kind = .job(update)
            case let .controlsChanged(paused, limit): kind = .controls(paused: paused, limit: limit)
            case .runFinished(let outcome): kind = .runFinished(outcome)
            case .runReopened: kind = .runReopened
            case .startAttempt, .terminateAttempt: continue
            }
            emit(kind)
        }
    }

    mutating func emit(_ kind: RunEvent.Kind) {
        sequence += 1
        events.append(RunEvent(sequence: sequence, time: LiveRunFixture.origin + now, kind: kind))
    }

    mutating func start(_ name: String, at time: Double) {
        send(.attemptStarted(job: index(name), attempt: state.jobs[index(name)].attempt, executionId: nil), at: time)
    }

    mutating func finish(_ name: String, code: Int32 = 0, at time: Double) {
        send(.attemptFinished(job: index(name), attempt: state.jobs[index(name)].attempt, outcome: .exited(code: code)), at: time)
    }

    mutating func log(_ name: String, _ lines: [[UInt8]], stderr: Bool = false) {
        let j = index(name)
        emit(.log(job: j, attempt: max(1, state.jobs[j].attempt), stream: stderr ? .stderr : .stdout, lines: LogLines(lines)))
    }

    mutating func take() -> [RunEvent] {
        defer { events = [] }
        return events
    }

    /// A dashboard attached at the start, then fed everything that happened so far.
    static func dashboard(_ fixture: inout LiveRunFixture, width: Int = 100, height: Int = 30, ascii: Bool = false,
                          theme: String = "default") -> Dashboard {
        let themes = try! ThemeResolver.resolve(argument: theme, environment: [:], readFile: { _ in nil }).get()
        var dashboard = Dashboard(mode: .live, themes: themes, ascii: ascii)
        _ = dashboard.update(.resize(width: width, height: height))
        _ = dashboard.update(.live(fixture.snapshot))
        _ = dashboard.update(.events(fixture.take()))
        _ = dashboard.update(.tick(now: origin + fixture.now))
        return dashboard
    }

    /// `snapshot` as if it were of run `runId`.
    static func renamed(_ snapshot: RunSnapshot, runId: String) -> RunSnapshot {
        var copy = snapshot
        copy.outline.runId = runId
        return copy
    }

    /// The usual story: extract succeeds, clean-a fails with output, clean-b runs with output, 14 s in.
    static func story() -> LiveRunFixture {
        var f = LiveRunFixture()
        f.send(.start, at: 0)
        f.start("extract", at: 0.5)
        f.log("extract", [Array("reading 3 tables".utf8), Array("done".utf8)])
        f.finish("extract", at: 4)
        f.start("clean-a", at: 4.2)
        f.start("clean-b", at: 4.3)
        f.log("clean-a", [Array("cleaning a".utf8), Array("Traceback: KeyError 'id'".utf8)], stderr: true)
        f.finish("clean-a", code: 1, at: 9)
        f.log("clean-b", (1...40).map { Array("row batch \($0) written".utf8) })
        f.now = 14
        return f
    }
}
