import DequeModule
import HeapModule

/// The run of a meta job as a pure state machine: inputs in, actions out, time passed in.
///
/// Like ninja's `Plan`, it knows what is ready and is told when work ends; unlike a polling loop, every
/// input is answered at once, so a job's dependents start in the same step its end is reported.
/// Work per input is O(1) plus the job's edges; nothing here sleeps, spawns or reads a clock.
public struct RunState: Sendable {
    /// The dependency graph.
    public let graph: JobGraph
    /// Per-job plans (retries, timeouts, fail_dag_on_error), by job index.
    public let plans: [JobPlan]
    /// Every job's current record, by job index.
    public private(set) var jobs: [JobRecord]
    /// Where the run is.
    public private(set) var phase: RunPhase = .notStarted
    /// Starting new jobs is paused.
    public private(set) var paused = false
    /// The settings, including the live concurrency limit.
    public private(set) var settings: RunSettings
    /// Jobs holding a slot (submitted or running).
    public private(set) var slotsUsed = 0
    /// Jobs per state, kept as states change (indexed by `JobState.ordinal`; read through `count(of:)`).
    private var stateCounts = [Int](repeating: 0, count: JobState.allCases.count)
    /// The user stopped the run.
    public private(set) var stopRequested = false
    /// Jobs whose final failure fails the meta job.
    public private(set) var fatalFailures = 0

    private var readyQueue = Deque<Int>()
    private var delays = Heap<Deadline>()
    private var timeouts = Heap<Deadline>()
    private var sequence: UInt64 = 0
    private var random: SplitMix64
    private var now: Double = 0
    private var actions: [RunAction] = []
    /// Jobs that entered `queued` during this step; announced at its end if still waiting.
    private var newlyQueued: [Int] = []

    /// A run of `graph` with `plans` (same order), `settings`, and a seed for the delay jitter.
    public init(graph: JobGraph, plans: [JobPlan], settings: RunSettings = RunSettings(), seed: UInt64 = 0x5EED) {
        precondition(graph.count == plans.count, "one plan per job")
        self.graph = graph
        self.plans = plans
        self.settings = settings
        self.random = SplitMix64(seed: seed)
        self.jobs = plans.indices.map { j in
            JobRecord(maxAttempts: plans[j].retries + 1, unmetDependencies: graph.dependencies[j].count)
        }
        stateCounts[JobState.pending.ordinal] = plans.count
    }

    /// How many jobs are in `state` now.
    public func count(of state: JobState) -> Int { stateCounts[state.ordinal] }

    /// Jobs in the delay queue.
    public var delayedCount: Int { count(of: .delayed) }
    /// Jobs that are not in a final status.
    public var unfinishedCount: Int { jobs.count - JobState.allCases.filter(\.isFinal).reduce(0) { $0 + count(of: $1) } }
    /// The meta job has failed (a fail_dag_on_error job failed for good) and has not been retried.
    public var isFailing: Bool { fatalFailures > 0 }

    /// Marks jobs as reused from an earlier run before the run starts: they count as succeeded.
    public mutating func markReused(_ reused: [Int: String]) {
        precondition(phase == .notStarted, "reuse is decided before the run starts")
        for (j, run) in reused {
            jobs[j].reusedFrom = run
            setState(j, .succeeded)
            jobs[j].endedAt = nil
        }
        for j in jobs.indices where jobs[j].state == .pending {
            jobs[j].unmetDependencies = graph.dependencies[j].reduce(0) { $0 + (unblocks($1) ? 0 : 1) }
        }
    }

    /// Feeds one input at time `now` (seconds on the caller's monotonic clock); returns what to do.
    public mutating func handle(_ input: RunInput, now: Double) -> [RunAction] {
        self.now = now
        actions.removeAll(keepingCapacity: true)
        switch input {
        case .start: begin()
        case let .attemptStarted(j, attempt, executionId): attemptStarted(j, attempt, executionId)
        case let .attemptFinished(j, attempt, outcome): attemptFinished(j, attempt, outcome)
        case let .attemptRefused(j, attempt, reason): attemptRefused(j, attempt, reason)
        case .timer: timerFired()
        case .command(let command): perform(command)
        }
        pump()
        announceQueued()
        checkFinished()
        return actions
    }

    /// The earliest time the state machine wants a `.timer` input, if any.
    public mutating func nextDeadline() -> Double? {
        while let top = delays.min, !isLive(delay: top) { _ = delays.removeMin() }
        while let top = timeouts.min, !isLive(timeout: top) { _ = timeouts.removeMin() }
        switch (delays.min?.time, timeouts.min?.time) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }

    // MARK: - Inputs

    private mutating func begin() {
        guard phase == .notStarted else { return }
        phase = .running
        for j in jobs.indices where jobs[j].state == .pending && jobs[j].unmetDependencies == 0 {
            enqueue(j)
        }
    }

    private mutating func attemptStarted(_ j: Int, _ attempt: Int, _ executionId: String?) {
        guard jobs.indices.contains(j), jobs[j].attempt == attempt, jobs[j].state == .submitted else { return }
        jobs[j].executionId = executionId
        setState(j, .running)
        publish(j)
    }

    private mutating func attemptRefused(_ j: Int, _ attempt: Int, _ reason: DelayReason) {
        guard jobs.indices.contains(j), jobs[j].attempt == attempt, jobs[j].state.holdsSlot else { return }
        slotsUsed -= 1
        // A refused start is not an attempt: the next start reuses the number.
        jobs[j].attempt -= 1
        jobs[j].termination = nil
        if stopRequested || (isFailing && !jobs[j].forced) {
            finish(j, .notRun, exitCode: nil, reason: "not started: " + (stopRequested ? "the run was stopped" : "the meta job failed"))
            return
        }
        let wait = settings.delayedJobsMinDelaySeconds
            + Double.random(in: 0...max(0, settings.delayedJobsRandomizedAddedDelaySeconds), using: &random)
        delay(j, reason: reason, for: wait, text: reason.description)
    }

    private mutating func attemptFinished(_ j: Int, _ attempt: Int, _ outcome: AttemptOutcome) {
        guard jobs.indices.contains(j), jobs[j].attempt == attempt, jobs[j].state.holdsSlot else { return }
        slotsUsed -= 1
        let plan = plans[j]
        var (status, exitCode, reason) = RunState.classify(outcome)
        if let cause = jobs[j].termination {
            switch cause {
            case .timeout:
                status = .platformError
                reason = "timed out after \(RunState.seconds(plan.timeoutSeconds ?? 0))"
            case .user: status = .cancelled; reason = "cancelled by the user"
            case .runStopped: status = .cancelled; reason = "cancelled: the run was stopped"
            case .failurePolicy: status = .cancelled; reason = "cancelled: the meta job failed (--on-failure cancel)"
            }
        }
        jobs[j].termination = nil
        let retryable = (status == .userError || status == .platformError)
        if retryable, attempt < jobs[j].maxAttempts, !stopRequested, !(isFailing && !jobs[j].forced) {
            // Announce the failed attempt, then park the job in the delay queue.
            jobs[j].exitCode = exitCode
            jobs[j].reason = reason
            jobs[j].lastFailure = status
            actions.append(.jobChanged(JobUpdate(job: j, state: status, attempt: attempt, exitCode: exitCode,
                                                 reason: reason, executionId: jobs[j].executionId,
                                                 maxAttempts: jobs[j].maxAttempts)))
            let base = plan.retryDelaySeconds * Double(1 << min(attempt - 1, 30))
            let wait = base * (1 + Double.random(in: 0..<0.1, using: &random))
            delay(j, reason: .retryBackoff, for: wait,
                  text: "retry \(attempt + 1) of \(jobs[j].maxAttempts) after \(reason ?? status.rawValue)")
            return
        }
        finish(j, status, exitCode: exitCode, reason: reason)
    }

    private mutating func timerFired() {
        while let top = timeouts.min, top.time <= now {
            _ = timeouts.removeMin()
            guard isLive(timeout: top) else { continue }
            jobs[top.job].termination = .timeout
            actions.append(.terminateAttempt(job: top.job, attempt: top.token, graceSeconds: settings.terminationGraceSeconds))
        }
        while let top = delays.min, top.time <= now {
            _ = delays.removeMin()
            guard isLive(delay: top) else { continue }
            jobs[top.job].delayReason = nil
            jobs[top.job].readyAt = nil
            enqueue(top.job)
        }
    }

    // MARK: - Commands

    private mutating func perform(_ command: RunCommand) {
        switch command {
        case .retry(let j):
            guard jobs.indices.contains(j), jobs[j].state.isFailure || jobs[j].state == .notRun else { return }
            rerun([j], including: graph.downstream(of: [j]).filter { jobs[$0].state == .notRun })
        case .retryFailed:
            let failed = jobs.indices.filter { jobs[$0].state.isFailure }
            guard !failed.isEmpty else { return }
            rerun(failed, including: graph.downstream(of: failed).filter { jobs[$0].state == .notRun })
        case .retryDownstream(let j):
            guard jobs.indices.contains(j), jobs[j].state.isFinal else { return }
            let down = graph.downstream(of: [j]).filter { jobs[$0].state.isFinal }
            rerun([j], including: down)
        case .cancel(let j):
            guard jobs.indices.contains(j) else { return }
            switch jobs[j].state {
            case .submitted, .running:
                guard jobs[j].termination == nil else { return }
                jobs[j].termination = .user
                actions.append(.terminateAttempt(job: j, attempt: jobs[j].attempt, graceSeconds: settings.terminationGraceSeconds))
            case .pending, .queued, .delayed:
                finish(j, .cancelled, exitCode: nil, reason: "cancelled by the user before it started")
            default: return
            }
        case .stop(let immediate):
            guard phase == .running else { return }
            let again = stopRequested
            stopRequested = true
            for j in jobs.indices {
                switch jobs[j].state {
                case .pending, .queued, .delayed:
                    finish(j, jobs[j].lastFailure ?? .notRun, exitCode: jobs[j].lastFailure == nil ? nil : jobs[j].exitCode,
                           reason: jobs[j].lastFailure == nil ? "not started: the run was stopped" : jobs[j].reason)
                case .submitted, .running:
                    if jobs[j].termination == nil || again || immediate {
                        if jobs[j].termination == nil { jobs[j].termination = .runStopped }
                        actions.append(.terminateAttempt(job: j, attempt: jobs[j].attempt,
                                                         graceSeconds: (again || immediate) ? 0 : settings.terminationGraceSeconds))
                    }
                default: break
                }
            }
        case .pause:
            guard !paused else { return }
            paused = true
            actions.append(.controlsChanged(paused: paused, limit: settings.maxConcurrentRunningJobs))
        case .resume:
            guard paused else { return }
            paused = false
            actions.append(.controlsChanged(paused: paused, limit: settings.maxConcurrentRunningJobs))
        case .setConcurrency(let n):
            let limit = max(1, n)
            guard limit != settings.maxConcurrentRunningJobs else { return }
            settings.maxConcurrentRunningJobs = limit
            actions.append(.controlsChanged(paused: paused, limit: limit))
        }
    }

    /// Puts `roots` and `others` back to pending, forced, and reopens the run if it had finished.
    private mutating func rerun(_ roots: [Int], including others: [Int]) {
        if case .finished = phase {
            phase = .running
            stopRequested = false
            actions.append(.runReopened)
        }
        let reset = roots + others
        for j in reset {
            if failsMetaJob(j, jobs[j].state) { fatalFailures -= 1 }
            jobs[j].forced = true
            jobs[j].maxAttempts = jobs[j].attempt + plans[j].retries + 1
            jobs[j].exitCode = nil
            jobs[j].reason = nil
            jobs[j].endedAt = nil
            jobs[j].lastFailure = nil
            jobs[j].reusedFrom = nil
            setState(j, .pending)
        }
        var affected = reset
        if fatalFailures == 0 {
            // Nothing fails the meta job any more: it goes on as if it never failed.
            for j in jobs.indices where jobs[j].state == .notRun {
                setState(j, .pending)
                affected.append(j)
            }
        }
        for j in affected {
            jobs[j].unmetDependencies = graph.dependencies[j].reduce(0) { $0 + (unblocks($1) ? 0 : 1) }
        }
        for j in affected {
            publish(j)
            if jobs[j].state == .pending && jobs[j].unmetDependencies == 0 { enqueue(j) }
        }
    }

    // MARK: - Transitions

    private mutating func enqueue(_ j: Int) {
        setState(j, .queued)
        readyQueue.append(j)
        newlyQueued.append(j)
    }

    private mutating func delay(_ j: Int, reason: DelayReason, for seconds: Double, text: String) {
        sequence += 1
        let readyAt = now + seconds
        jobs[j].delayReason = reason
        jobs[j].readyAt = readyAt
        setState(j, .delayed)
        // The token is the attempt count: a job that moved on never matches a stale entry.
        delays.insert(Deadline(time: readyAt, sequence: sequence, job: j, token: jobs[j].attempt))
        actions.append(.jobChanged(JobUpdate(job: j, state: .delayed, attempt: jobs[j].attempt, exitCode: jobs[j].exitCode,
                                             reason: text, executionId: jobs[j].executionId,
                                             delayReason: reason, readyAt: readyAt, maxAttempts: jobs[j].maxAttempts)))
    }

    /// Starts queued jobs while slots are free and starting is allowed.
    private mutating func pump() {
        guard phase == .running, !paused, !stopRequested else { return }
        while slotsUsed < settings.maxConcurrentRunningJobs, let j = readyQueue.first {
            guard jobs[j].state == .queued else { readyQueue.removeFirst(); continue }
            // While the meta job is failed only jobs the user asked for may start; the others were
            // finalized when it failed, so the head of the queue is always startable here.
            if isFailing && !jobs[j].forced { readyQueue.removeFirst(); continue }
            readyQueue.removeFirst()
            slotsUsed += 1
            jobs[j].attempt += 1
            jobs[j].startedAt = now
            jobs[j].endedAt = nil
            jobs[j].exitCode = nil
            jobs[j].reason = nil
            jobs[j].executionId = nil
            jobs[j].termination = nil
            setState(j, .submitted)
            publish(j)
            if let timeout = plans[j].timeoutSeconds {
                sequence += 1
                timeouts.insert(Deadline(time: now + timeout, sequence: sequence, job: j, token: jobs[j].attempt))
            }
            actions.append(.startAttempt(job: j, attempt: jobs[j].attempt))
        }
    }

    private mutating func announceQueued() {
        for j in newlyQueued where jobs[j].state == .queued { publish(j) }
        newlyQueued.removeAll(keepingCapacity: true)
    }

    /// A job reached a final status: release its dependents or fail the meta job.
    private mutating func finish(_ j: Int, _ status: JobState, exitCode: Int32?, reason: String?) {
        jobs[j].exitCode = exitCode
        jobs[j].reason = reason
        jobs[j].endedAt = now
        jobs[j].delayReason = nil
        jobs[j].readyAt = nil
        jobs[j].lastFailure = nil
        setState(j, status)
        publish(j)
        if unblocks(j) {
            for d in graph.dependents[j] {
                jobs[d].unmetDependencies -= 1
                if jobs[d].unmetDependencies == 0 && jobs[d].state == .pending {
                    if isFailing && !jobs[d].forced || stopRequested {
                        finish(d, .notRun, exitCode: nil, reason: "not started: " + (stopRequested ? "the run was stopped" : "the meta job failed"))
                    } else {
                        enqueue(d)
                    }
                }
            }
        } else if failsMetaJob(j, status) {
            fatalFailures += 1
            if fatalFailures == 1 { metaJobFailed(because: j) }
        }
    }

    /// The first fatal failure: nothing new starts; waiting jobs end, running ones per `--on-failure`.
    private mutating func metaJobFailed(because failed: Int) {
        let why = "not started: the meta job failed (\(plans[failed].name) \(jobs[failed].state.rawValue))"
        for j in jobs.indices where !jobs[j].forced {
            switch jobs[j].state {
            case .pending, .queued:
                finish(j, .notRun, exitCode: nil, reason: why)
            case .delayed:
                if let last = jobs[j].lastFailure {
                    finish(j, last, exitCode: jobs[j].exitCode, reason: jobs[j].reason)
                } else {
                    finish(j, .notRun, exitCode: nil, reason: why)
                }
            case .submitted, .running:
                if settings.onFailure == .cancel && jobs[j].termination == nil {
                    jobs[j].termination = .failurePolicy
                    actions.append(.terminateAttempt(job: j, attempt: jobs[j].attempt, graceSeconds: settings.terminationGraceSeconds))
                }
            default: break
            }
        }
    }

    /// Ends the run once nothing is in flight and nothing can start.
    private mutating func checkFinished() {
        guard phase == .running, slotsUsed == 0, delayedCount == 0 else { return }
        let canStartQueued = readyQueue.contains { jobs[$0].state == .queued && (!isFailing || jobs[$0].forced) }
        if canStartQueued && !stopRequested {
            // Only a pause keeps startable jobs waiting; the run is not over.
            return
        }
        let why = stopRequested ? "not started: the run was stopped" : "not started: the meta job failed"
        for j in jobs.indices where !jobs[j].state.isFinal {
            finish(j, .notRun, exitCode: nil, reason: why)
        }
        readyQueue.removeAll()
        let outcome: RunOutcome = stopRequested ? .cancelled : (isFailing ? .failed : .succeeded)
        phase = .finished(outcome)
        actions.append(.runFinished(outcome))
    }

    // MARK: - Helpers

    private mutating func setState(_ j: Int, _ state: JobState) {
        let old = jobs[j].state
        guard old != state else { return }
        stateCounts[old.ordinal] -= 1
        stateCounts[state.ordinal] += 1
        jobs[j].state = state
    }

    private mutating func publish(_ j: Int) {
        let r = jobs[j]
        actions.append(.jobChanged(JobUpdate(job: j, state: r.state, attempt: r.attempt, exitCode: r.exitCode,
                                             reason: r.reason, executionId: r.executionId,
                                             delayReason: r.delayReason, readyAt: r.readyAt, maxAttempts: r.maxAttempts)))
    }

    /// True when `j`'s status lets its dependents run: success, or any other end that does not fail the meta job.
    private func unblocks(_ j: Int) -> Bool {
        let state = jobs[j].state
        if state.unblocksDependents { return true }
        return (state.isFailure || state == .skipped) && !plans[j].failDagOnError
    }

    /// VDK's `finalize_job`: with `fail_dag_on_error`, any final status but succeeded (skipped too) fails the DAG.
    private func failsMetaJob(_ j: Int, _ state: JobState) -> Bool {
        plans[j].failDagOnError && (state.isFailure || state == .skipped)
    }

    private func isLive(delay d: Deadline) -> Bool {
        jobs[d.job].state == .delayed && jobs[d.job].attempt == d.token && jobs[d.job].readyAt == d.time
    }

    private func isLive(timeout d: Deadline) -> Bool {
        jobs[d.job].state.holdsSlot && jobs[d.job].attempt == d.token && jobs[d.job].termination == nil
    }

    /// Maps an executor's outcome to a status, exit code and reason (before cancellation is considered).
    static func classify(_ outcome: AttemptOutcome) -> (JobState, Int32?, String?) {
        switch outcome {
        case .exited(let code):
            return code == 0 ? (.succeeded, 0, nil) : (.userError, code, "exit code \(code)")
        case .signaled(let signal):
            return (.platformError, nil, "killed by signal \(signal)\(signalName(signal).map { " (\($0))" } ?? "")")
        case .spawnFailed(let message):
            return (.platformError, nil, message)
        case let .status(state, exitCode, reason):
            return (state, exitCode, reason)
        }
    }

    static func signalName(_ signal: Int32) -> String? {
        let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE",
                                      9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"]
        return names[signal]
    }

    /// "2.5s" / "10s".
    public static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? "\(Int64(value))s" : "\(value)s"
    }
}
