import Foundation
import MetaJobCore
@testable import MetaJobHistory
import Testing

/// `HistoryStore.expectedDurations` on a real SQLite file: which past attempts count and which do not.
@Suite("History: expected durations")
struct HistoryDurationTests {
    /// Records a finished run whose jobs took the given seconds (nil: the job failed), each attempt submitted
    /// at the run's start; `reused` jobs are recorded as reused from an earlier run.
    static func record(_ store: HistoryStore, _ runId: String, metaJob: String = "nightly", at start: Double,
                       _ jobs: [(String, Double?)], reused: Set<String> = []) throws {
        let run = newRun(runId, metaJob: metaJob, startedAt: start,
                         jobs: jobs.map { NewRunJob(name: $0.0, reusedFrom: reused.contains($0.0) ? "20250101-000000-aaaa" : nil) })
        let recorder = try HistoryRecorder(store: store, run: run)
        var sequence: UInt64 = 0
        func send(_ time: Double, _ kind: RunEvent.Kind) {
            sequence += 1
            recorder.receive(RunEvent(sequence: sequence, time: time, kind: kind))
        }
        var end = start
        for (j, (name, seconds)) in jobs.enumerated() where !reused.contains(name) {
            send(start, .job(JobUpdate(job: j, state: .submitted, attempt: 1)))
            send(start, .job(JobUpdate(job: j, state: .running, attempt: 1)))
            let done = start + (seconds ?? 3)
            end = max(end, done)
            send(done, .job(JobUpdate(job: j, state: seconds == nil ? .userError : .succeeded, attempt: 1,
                                      exitCode: seconds == nil ? 1 : 0)))
        }
        let outcome: RunOutcome = jobs.contains { $0.1 == nil } ? .failed : .succeeded
        send(end, .runFinished(outcome))
        recorder.close(outcome: outcome)
    }

    @Test func lastTwentySuccessesOfTheSameMetaJobAndJobName() throws {
        let path = temporaryHistoryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try HistoryStore(path: path)
        let base = 1_764_000_000.0
        // 25 runs: "load" took 1 s … 25 s (oldest first); "flaky" always failed; "once" succeeded in the first run only.
        for k in 1...25 {
            var jobs: [(String, Double?)] = [("load", Double(k)), ("flaky", nil)]
            jobs.append(("once", k == 1 ? 7 : nil))
            try Self.record(store, String(format: "20251124-%06d-ab12", k), at: base + Double(k) * 100, jobs)
        }
        // Another meta job with a job of the same name: not counted.
        try Self.record(store, "20251124-999999-cd34", metaJob: "other", at: base + 5000, [("load", 1000)])

        let estimates = try store.expectedDurations(metaJob: "nightly", jobs: ["load", "flaky", "once", "never-ran"])
        let load = try #require(estimates["load"])
        #expect(load.sampleCount == DurationEstimate.sampleLimit, "only the newest 20 successes count")
        #expect(load == DurationEstimate(samples: (6...25).map(Double.init)), "the newest 20 are 6 s … 25 s, not 1 s … 5 s nor 1000 s")
        #expect(estimates["flaky"] == nil, "a job that never succeeded has no estimate")
        #expect(estimates["never-ran"] == nil, "a job the history does not know has no estimate")
        let once = try #require(estimates["once"], "one success is enough for an estimate")
        #expect(once.sampleCount == 1 && once.median == 7 && once.p90 == 7)
        #expect(try store.expectedDurations(metaJob: "nobody", jobs: ["load"]).isEmpty)
        #expect(try store.expectedDurations(metaJob: "nightly", jobs: []).isEmpty)
    }

    @Test func namesMatchWhenTheDefinitionReorderedJobsAndReusedJobsDoNotCount() throws {
        let path = temporaryHistoryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try HistoryStore(path: path)
        let base = 1_764_000_000.0
        // The older run had the jobs in another order (and a job since removed).
        try Self.record(store, "20251124-000001-ab12", at: base, [("gone", 50), ("b", 20), ("a", 10)])
        try Self.record(store, "20251124-000002-ab12", at: base + 100, [("a", 12), ("b", 22)])
        // A resume that reused "a": its reused success says nothing about how long "a" takes.
        try Self.record(store, "20251124-000003-ab12", at: base + 200, [("a", 1), ("b", 24)], reused: ["a"])

        let estimates = try store.expectedDurations(metaJob: "nightly", jobs: ["a", "b"])
        #expect(estimates["a"] == DurationEstimate(samples: [12, 10]), "\(String(describing: estimates["a"]))")
        #expect(estimates["b"] == DurationEstimate(samples: [24, 22, 20]), "\(String(describing: estimates["b"]))")
        #expect(estimates["gone"] == nil, "only the jobs asked for are answered")
    }

    @Test func fewJobsStillShortAreLookedUpByNameInOlderRuns() throws {
        let path = temporaryHistoryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try HistoryStore(path: path)
        let base = 1_764_000_000.0
        // 70 jobs (more than the by-name threshold), 25 runs: after the newest 20 only "rare" and "never" lack
        // samples, so the 5 oldest runs are asked for those two by name. "rare" succeeded in the oldest run only.
        let names = (0..<68).map { "job-\($0)" } + ["rare", "never"]
        #expect(names.count > HistoryStore.durationLookupByName)
        for k in 1...25 {
            let jobs: [(String, Double?)] = names.map { name in
                switch name {
                case "rare": return (name, k == 1 ? 42 : nil)
                case "never": return (name, nil)
                default: return (name, Double(k))
                }
            }
            try Self.record(store, String(format: "20251124-%06d-ab12", k), at: base + Double(k) * 100, jobs)
        }
        let estimates = try store.expectedDurations(metaJob: "nightly", jobs: names)
        #expect(estimates["rare"] == DurationEstimate(samples: [42]), "found by name in the oldest run")
        #expect(estimates["never"] == nil)
        #expect(estimates["job-0"] == DurationEstimate(samples: (6...25).map(Double.init)))
        #expect(estimates.count == 69)
    }
}
