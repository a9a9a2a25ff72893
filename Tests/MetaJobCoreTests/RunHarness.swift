@testable import MetaJobCore

/// Drives a RunState with a manual clock and records what it asked for; no processes, no sleeps.
struct RunHarness {
    var state: RunState
    var now: Double = 0
    /// Every action returned so far, in order.
    var log: [RunAction] = []
    /// Attempts started and not yet finished.
    var inFlight: [Int: Int] = [:]
    /// Most jobs in flight at any time.
    var peakInFlight = 0
    /// Job names in the order they were started.
    var startOrder: [String] = []

    init(_ jobs: [(name: String, deps: [String])], plans: [String: JobPlan] = [:], settings: RunSettings = RunSettings()) {
        let graph = JobGraph(names: jobs.map(\.name), dependsOn: jobs.map(\.deps))
        let planList = jobs.map { plans[$0.name] ?? JobPlan(name: $0.name) }
        state = RunState(graph: graph, plans: planList, settings: settings)
    }

    func index(_ name: String) -> Int { state.graph.index[name]! }
    func status(_ name: String) -> JobState { state.jobs[index(name)].state }
    func record(_ name: String) -> JobRecord { state.jobs[index(name)] }

    @discardableResult
    mutating func send(_ input: RunInput) -> [RunAction] {
        let actions = state.handle(input, now: now)
        log.append(contentsOf: actions)
        for action in actions {
            switch action {
            case let .startAttempt(job, attempt):
                inFlight[job] = attempt
                peakInFlight = max(peakInFlight, inFlight.count)
                startOrder.append(state.graph.names[job])
            default: break
            }
        }
        return actions
    }

    @discardableResult
    mutating func start() -> [RunAction] { send(.start) }

    /// Reports that `name`'s current attempt is running.
    @discardableResult
    mutating func running(_ name: String) -> [RunAction] {
        let j = index(name)
        return send(.attemptStarted(job: j, attempt: state.jobs[j].attempt, executionId: nil))
    }

    /// Reports that `name`'s current attempt ended.
    @discardableResult
    mutating func finish(_ name: String, _ outcome: AttemptOutcome = .exited(code: 0)) -> [RunAction] {
        let j = index(name)
        inFlight[j] = nil
        return send(.attemptFinished(job: j, attempt: state.jobs[j].attempt, outcome: outcome))
    }

    @discardableResult
    mutating func command(_ c: RunCommand) -> [RunAction] { send(.command(c)) }

    /// Moves the clock to `t` and fires the timer if a deadline is due.
    @discardableResult
    mutating func advance(to t: Double) -> [RunAction] {
        now = t
        guard let deadline = state.nextDeadline(), deadline <= t else { return [] }
        return send(.timer)
    }

    /// Names of jobs started by `actions`.
    func started(_ actions: [RunAction]) -> [String] {
        actions.compactMap { if case let .startAttempt(j, _) = $0 { return state.graph.names[j] } else { return nil } }
    }

    /// The outcome if the run finished in `actions`.
    func finished(_ actions: [RunAction]) -> RunOutcome? {
        for a in actions { if case .runFinished(let o) = a { return o } }
        return nil
    }

    var outcome: RunOutcome? {
        if case .finished(let o) = state.phase { return o }
        return nil
    }

    /// Runs every started job to success until nothing is in flight.
    mutating func drainSucceeding() {
        while let (j, _) = inFlight.first {
            finish(state.graph.names[j])
        }
    }
}
