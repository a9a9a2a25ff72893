import Testing
@testable import MetaJobCore

@Suite("What changed since the previous run")
struct RunComparisonTests {
    static func job(_ name: String, _ state: String = "succeeded", start: Double? = 0, seconds: Double? = 10,
                    attempts: Int = 1, reusedFrom: String? = nil, events: [JobEventRecord] = []) -> JobHistory {
        JobHistory(name: name, team: nil, state: state, attempts: attempts, exitCode: nil, reason: nil, executionId: nil,
                   startedAt: start, endedAt: seconds.flatMap { s in start.map { $0 + s } }, reusedFrom: reusedFrom,
                   events: events)
    }

    static func run(_ id: String, _ jobs: [JobHistory]) -> RunDetail {
        RunDetail(summary: RunSummary(runId: id, metaJob: "nightly", state: .succeeded, startedAt: 0, endedAt: 100,
                                      jobCounts: [:], resumedFrom: nil),
                  startedBy: "manual/nightly", host: "h", pid: 1, workingDirectory: "/", commandLine: [],
                  definitionPath: nil, definitionText: [], settingsJSON: "{}", jobs: jobs)
    }

    @Test func noiseNeedsBothTheRatioAndTheSeconds() {
        #expect(!RunComparison.isBeyondNoise(before: 1, now: 2), "+100 % but 1 s")
        #expect(!RunComparison.isBeyondNoise(before: 3600, now: 3610), "+10 s but 0.3 %")
        #expect(!RunComparison.isBeyondNoise(before: 20, now: 24.9), "+24.5 %, 4.9 s")
        #expect(RunComparison.isBeyondNoise(before: 20, now: 25), "+25 %, 5 s: at both edges")
        #expect(RunComparison.isBeyondNoise(before: 20, now: 15), "−25 %, −5 s")
        #expect(!RunComparison.isBeyondNoise(before: 40, now: 49), "+22.5 %, 9 s")
        #expect(RunComparison.change(from: 10, to: 40) == .slower)
        #expect(RunComparison.change(from: 40, to: 10) == .faster)
        #expect(RunComparison.change(from: nil, to: 40) == nil, "no earlier duration: no change claimed")
        #expect(RunComparison.change(from: 0, to: 5) == .slower, "from nothing to 5 s is beyond both")
    }

    @Test func statusAndDurationChangesAndJobsInOnlyOneRun() {
        let before = Self.run("r1", [Self.job("extract"), Self.job("clean", seconds: 30), Self.job("load"),
                                     Self.job("old-report")])
        let now = Self.run("r2", [Self.job("extract", seconds: 11), Self.job("clean", seconds: 90),
                                  Self.job("load", "user_error", seconds: 10), Self.job("new-report")])
        let c = RunComparison(current: now, previous: before)
        #expect(c.runId == "r2" && c.previousRunId == "r1")
        #expect(c.jobs.map(\.name) == ["extract", "clean", "load", "new-report", "old-report"])
        let byName = Dictionary(uniqueKeysWithValues: c.jobs.map { ($0.name, $0) })
        #expect(byName["extract"]?.changed == false, "10 s → 11 s is noise")
        #expect(byName["clean"]?.durationChange == .slower)
        #expect(byName["clean"]?.statusChanged == false)
        #expect(byName["load"]?.statusChanged == true)
        #expect(byName["load"]?.stateBefore == "succeeded" && byName["load"]?.stateNow == "user_error")
        #expect(byName["new-report"]?.presence == .added)
        #expect(byName["old-report"]?.presence == .removed && byName["old-report"]?.stateNow == nil)
        #expect(c.changed.map(\.name) == ["clean", "load", "new-report", "old-report"])
    }

    @Test func reusedUnstartedAndUnfinishedJobsHaveNoDurationToCompare() {
        let before = Self.run("r1", [Self.job("a", seconds: 10), Self.job("b", seconds: 10), Self.job("c", seconds: 10)])
        let now = Self.run("r2", [Self.job("a", seconds: 100, reusedFrom: "r0"), Self.job("b", "not_run", start: nil, seconds: nil),
                                  Self.job("c", "running", seconds: nil)])
        let c = RunComparison(current: now, previous: before)
        #expect(c.jobs.allSatisfy { $0.durationNow == nil && $0.durationChange == nil })
        #expect(c.jobs[0].changed == false, "a reused success is the same success")
        #expect(c.jobs[1].statusChanged && c.jobs[2].statusChanged)
    }

    @Test func attemptsSideBySideFromStoredEvents() {
        func e(_ t: Double, _ s: String, _ a: Int, _ code: Int32? = nil, _ why: String? = nil) -> JobEventRecord {
            JobEventRecord(time: t, state: s, attempt: a, exitCode: code, reason: why, executionId: nil, delayReason: nil, readyAt: nil)
        }
        let history = Self.job("flaky", attempts: 3, events: [
            e(0, "queued", 0), e(1, "submitted", 1), e(2, "running", 1), e(5, "user_error", 1, 3, "exit 3"),
            e(5, "delayed", 1, 3, "retry 2 of 3 after exit 3"), e(15, "submitted", 2), e(16, "running", 2),
            e(16.5, "platform_error", 2, nil, "killed by signal 9"), e(16.5, "delayed", 2), e(30, "running", 3),
            e(42, "succeeded", 3, 0),
        ])
        let records = [AttemptRecord](history: history)
        #expect(records.map(\.attempt) == [1, 2, 3])
        #expect(records.map(\.duration) == [4, 1.5, 12], "a history without `submitted` opens the attempt at `running`")
        #expect(records.map(\.exitCode) == [3, nil, 0])
        #expect(records.map(\.state) == [.userError, .platformError, .succeeded])
        #expect(records[0].reason == "exit 3", "the delay's text does not replace the attempt's reason")
        var live = records
        live.note(.running, attempt: 4, exitCode: nil, reason: nil, at: 50)
        #expect(live.last?.end == nil && live.last?.duration == nil)
        live.note(.succeeded, attempt: 3, exitCode: 1, reason: "late", at: 60)
        #expect(live[2].exitCode == 0, "a stale update for an earlier attempt changes nothing")
    }
}
