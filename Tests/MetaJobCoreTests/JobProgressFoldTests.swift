import Testing
@testable import MetaJobCore

/// The one fold of job progress: a snapshot moved along by the run's updates says what the state machine
/// says, and a history rebuilt from the same updates draws the same attempts.
@Suite("Job progress fold")
struct JobProgressFoldTests {
    /// Feeds `input` and returns the job updates it produced as events at the harness's time.
    static func step(_ h: inout RunHarness, _ input: RunInput, into snapshot: inout RunSnapshot, events: inout [RunEvent]) {
        for action in h.send(input) {
            guard case .jobChanged(let u) = action else { continue }
            let event = RunEvent(sequence: snapshot.sequence + 1, time: snapshot.wallClockOrigin + h.now, kind: .job(u))
            snapshot.apply(event)
            events.append(event)
        }
    }

    @Test func foldedSnapshotMatchesTheStateMachine() {
        var h = RunHarness([("a", []), ("b", ["a"]), ("c", [])],
                           plans: ["b": JobPlan(name: "b", retries: 1, retryDelaySeconds: 1)])
        let info = RunInfo(runId: "r", metaJobName: "m", startedBy: "manual/m", jobs: [])
        var folded = RunSnapshot(info: info, state: h.state, sequence: 0, wallClockOrigin: 1000)
        var events: [RunEvent] = []
        let a = h.index("a"), b = h.index("b"), c = h.index("c")
        Self.step(&h, .start, into: &folded, events: &events)
        Self.step(&h, .attemptStarted(job: a, attempt: 1, executionId: "x"), into: &folded, events: &events)
        h.now = 2
        Self.step(&h, .attemptFinished(job: a, attempt: 1, outcome: .exited(code: 0)), into: &folded, events: &events)
        Self.step(&h, .attemptRefused(job: c, attempt: 1, reason: .serverError(message: "503")), into: &folded, events: &events)
        #expect(folded.jobs[c].attempt == 0 && folded.jobs[c].attemptsStarted == 1, "a refused start is not an attempt, but it was started")
        #expect(folded.jobs[c].spans.last?.end == 1002 && folded.jobs[c].spans.last?.state == .submitted,
                "a refused start's span ends when it is refused")
        h.now = 3
        Self.step(&h, .attemptFinished(job: b, attempt: 1, outcome: .exited(code: 4)), into: &folded, events: &events)
        h.now = 10
        Self.step(&h, .timer, into: &folded, events: &events)
        h.now = 11
        Self.step(&h, .attemptFinished(job: b, attempt: 2, outcome: .exited(code: 5)), into: &folded, events: &events)
        h.now = 12
        Self.step(&h, .command(.retry(job: b)), into: &folded, events: &events)
        let direct = RunSnapshot(info: info, state: h.state, sequence: 0, wallClockOrigin: 1000)
        for j in [a, b, c] {
            let f = folded.jobs[j], d = direct.jobs[j]
            #expect(f.state == d.state && f.attempt == d.attempt && f.maxAttempts == d.maxAttempts, "job \(j): \(f) vs \(d)")
            #expect(f.exitCode == d.exitCode && f.reason == d.reason && f.delayReason == d.delayReason && f.readyAt == d.readyAt)
        }
        #expect(folded.jobs[b].maxAttempts == 4, "a user retry grants the retries again: 2 used + 1 + 1")
        #expect(folded.jobs[b].spans.map(\.attempt) == [1, 2, 3], "the user's retry started a third attempt")
        #expect(folded.jobs[b].spans.map(\.state) == [.userError, .userError, .submitted])
        #expect(folded.jobs[c].state == .submitted, "the retry took the failure back: the job the failure stopped starts")

        // The same updates as a history stores them: the rebuilt attempts are the same bars.
        for j in [a, b] {
            let records = events.compactMap { e -> JobEventRecord? in
                guard case .job(let u) = e.kind, u.job == j else { return nil }
                return JobEventRecord(time: e.time, state: u.state.rawValue, attempt: u.attempt, exitCode: u.exitCode,
                                      reason: u.reason, executionId: u.executionId, delayReason: u.delayReason?.code,
                                      readyAt: u.readyAt.map { 1000 + $0 })
            }
            let f = folded.jobs[j]
            let history = JobHistory(name: "j", team: nil, state: f.state.rawValue, attempts: f.attemptsStarted,
                                     exitCode: f.exitCode, reason: f.reason, executionId: f.executionId,
                                     startedAt: f.startedAt, endedAt: f.endedAt, reusedFrom: nil, events: records)
            #expect(JobProgress(history: history).spans == f.spans, "job \(j)")
        }
    }

    @Test func aWaitingRetryShowsWhenItsFailedAttemptEnded() {
        var p = JobProgress(maxAttempts: 2)
        p.apply(JobUpdate(job: 0, state: .submitted, attempt: 1), at: 10, origin: 0)
        p.apply(JobUpdate(job: 0, state: .userError, attempt: 1, exitCode: 1), at: 12, origin: 0)
        p.apply(JobUpdate(job: 0, state: .delayed, attempt: 1, delayReason: .retryBackoff, readyAt: 5), at: 12, origin: 100)
        #expect(p.endedAt == nil, "not final")
        #expect(p.lastAttemptEnd == 12)
        #expect(p.readyAt == 105, "readyAt moves from the run's clock to wall time")
        p.apply(JobUpdate(job: 0, state: .submitted, attempt: 2), at: 15, origin: 0)
        #expect(p.lastAttemptEnd == nil && p.startedAt == 15 && p.spans.count == 2)
    }

    @Test func everyRefusedCommandChangesNothingAndEveryAcceptedOneDoes() {
        var h = RunHarness([("a", []), ("b", ["a"]), ("c", [])], settings: RunSettings(maxConcurrentRunningJobs: 1))
        let commands: [RunCommand] = [.retry(job: 0), .retry(job: 99), .retryFailed, .retryDownstream(job: 1), .cancel(job: 7),
                                      .stop(immediate: false), .pause, .resume, .setConcurrency(1), .setConcurrency(0)]
        func check(_ h: inout RunHarness, _ label: String) {
            for command in commands {
                var probe = h
                let refusal = probe.state.refusal(for: command)
                let actions = probe.send(.command(command))
                if refusal != nil {
                    #expect(actions.isEmpty, "\(label): \(command) refused (\(refusal!)) yet acted: \(actions)")
                } else {
                    #expect(!actions.isEmpty, "\(label): \(command) accepted yet changed nothing")
                }
            }
        }
        check(&h, "not started")
        h.start()
        check(&h, "running")
        h.running("a")
        h.finish("a", .exited(code: 1))
        check(&h, "failed")
        h.send(.command(.retry(job: h.index("a"))))
        h.send(.command(.pause))
        check(&h, "paused")
        h.send(.command(.cancel(job: h.index("a"))))
        check(&h, "cancelling")
    }
}
