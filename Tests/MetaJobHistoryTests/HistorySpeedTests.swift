import Foundation
import GRDB
import MetaJobCore
@testable import MetaJobHistory
import MetaJobRunner
import Testing
import MetaJobTestSupport

/// Fills a history file the size of a busy year and prints how long list/show take.
/// Skipped unless METAJOB_SPEED is set: `METAJOB_SPEED=1 swift test -c release --filter HistorySpeedTests`.
@Suite(.serialized) struct HistorySpeedTests {
    static let enabled = ProcessInfo.processInfo.environment["METAJOB_SPEED"] != nil

    @Test(.enabled(if: HistorySpeedTests.enabled)) func listAndShowTimings() throws {
        let path = temporaryHistoryPath()
        let store = try HistoryStore(path: path)
        let runCount = 10_000, jobsPerRun = 10
        var t = Date()
        try generateRuns(store, count: runCount, jobsPerRun: jobsPerRun)
        print("speed: generated \(runCount) runs × \(jobsPerRun) jobs in \(ms(since: t))")

        // The 1,000-job run goes through the recorder, as a real run would.
        let bigJobs = 1_000
        let recorder = try HistoryRecorder(store: store, run: newRun("99991231-235959-b1g0", metaJob: "big", startedAt: 4e9,
                                                                     jobs: (0..<bigJobs).map { NewRunJob(name: "job-\($0)") }))
        t = Date()
        var sequence: UInt64 = 0
        func send(_ kind: RunEvent.Kind) {
            sequence += 1
            recorder.receive(RunEvent(sequence: sequence, time: 4e9 + Double(sequence), kind: kind))
        }
        for j in 0..<bigJobs {
            send(.job(JobUpdate(job: j, state: .queued, attempt: 0)))
            send(.job(JobUpdate(job: j, state: .submitted, attempt: 1)))
            send(.job(JobUpdate(job: j, state: .running, attempt: 1, executionId: "exec-\(j)")))
            send(.log(job: j, attempt: 1, stream: .stdout, lines: LogLines([Array("starting job \(j)".utf8)])))
            send(.log(job: j, attempt: 1, stream: .stderr, lines: LogLines([Array("a warning from job \(j)".utf8)])))
            send(.job(JobUpdate(job: j, state: j % 50 == 0 ? .userError : .succeeded, attempt: 1,
                                exitCode: j % 50 == 0 ? 1 : 0, executionId: "exec-\(j)")))
        }
        send(.runFinished(.failed))
        let receiveTime = ms(since: t)
        recorder.close(outcome: .failed)
        print("speed: recorded \(sequence) events of a \(bigJobs)-job run: receive \(receiveTime), written by close \(ms(since: t))")

        func measure(_ label: String, _ body: () throws -> Void) rethrows {
            var best = Double.infinity
            var first = 0.0
            for i in 0..<10 {
                let start = Date()
                try body()
                let elapsed = Date().timeIntervalSince(start) * 1000
                if i == 0 { first = elapsed }
                best = min(best, elapsed)
            }
            print(String(format: "speed: %@: first %.2f ms, best of 10 %.2f ms", label, first, best))
        }
        try measure("listRuns() over \(runCount + 1) runs") { let n = try store.listRuns().count; #expect(n == 20) }
        try measure("listRuns(metaJob:) over \(runCount + 1) runs") { _ = try store.listRuns(metaJob: "meta-7") }
        try measure("listRuns(state: failed)") { _ = try store.listRuns(state: .failed) }
        try measure("listRuns(state: running)") { _ = try store.listRuns(state: .running) }
        try measure("run(id) of the \(bigJobs)-job run") { let n = try store.run("99991231-235959-b1g0").jobs.count; #expect(n == bigJobs) }
        try measure("run(prefix) of the \(bigJobs)-job run") { _ = try store.run("99991231-2359") }
        try measure("logs of one job") { _ = try store.logs(runId: "99991231-235959-b1g0", job: "job-500", attempt: nil) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("speed: file \(size / 1024) KB at \(path)")
        #expect(try store.integrityCheck())
        try? FileManager.default.removeItem(atPath: ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent)
    }

    /// A 10,000-job run of `true`, without and with recording (wall time; the release binary is the real measure).
    @Test(.enabled(if: HistorySpeedTests.enabled)) func recordingOverhead() throws {
        let path = temporaryHistoryPath()
        let store = try HistoryStore(path: path)
        let jobs = (0..<10_000).map { TestRun.job("j\($0)", [], "true") }
        let settings = RunSettings(maxConcurrentRunningJobs: 16)
        var times: [String: [Double]] = [:]
        for round in 0..<2 {
            for recording in [false, true] {
                let start = Date()
                let cpuStart = cpuSeconds()
                let (_, outcome) = try RecordedLocalRun.run(jobs, store: recording ? store : nil, settings: settings)
                #expect(outcome == .succeeded)
                let elapsed = Date().timeIntervalSince(start)
                times[recording ? "recording" : "plain", default: []].append(elapsed)
                // metajob's own CPU (the jobs are children, not counted): less noisy than wall time.
                print(String(format: "speed: 10,000 true jobs, round %d, %@: %.2f s wall, %.2f s CPU in this process", round + 1,
                             recording ? "recording" : "not recording", elapsed, cpuSeconds() - cpuStart))
            }
        }
        let plain = times["plain"]!.min()!, recorded = times["recording"]!.min()!
        print(String(format: "speed: recording overhead (best of 2 each): %+.1f %%", (recorded / plain - 1) * 100))
        try? FileManager.default.removeItem(atPath: ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent)
    }

    /// Inserts finished runs straight into the tables (the recorder would take minutes for 10,000 runs).
    private func generateRuns(_ store: HistoryStore, count: Int, jobsPerRun: Int) throws {
        let me = ProcessLiveness.current
        try store.pool.write { db in
            let run = try db.makeStatement(sql: """
                INSERT INTO runs (run_id, meta_job, state, started_at, ended_at, heartbeat_at, host, pid, started_by,
                                  working_directory, command_line, definition_text, settings_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '/tmp', '["metajob","run"]', x'', '{}')
                """)
            let job = try db.makeStatement(sql: """
                INSERT INTO jobs (run, idx, name, fail_dag_on_error, depends_on, state, attempts, exit_code, started_at, ended_at)
                VALUES (?, ?, ?, 1, '[]', ?, 1, ?, ?, ?)
                """)
            let event = try db.makeStatement(sql: """
                INSERT INTO job_events (run, job, seq, time, state, attempt) VALUES (?, ?, ?, ?, ?, 1)
                """)
            for i in 0..<count {
                let started = 1.7e9 + Double(i) * 600
                let failed = i % 7 == 0
                let meta = "meta-\(i % 10)"
                try run.execute(arguments: [RunID.make(at: started, suffix: UInt16(i & 0xFFFF)), meta,
                                            failed ? "failed" : "succeeded", started, started + 300, started + 300,
                                            ProcessLiveness.hostName, Int64(me.pid), "scheduled/\(meta)"])
                let id = db.lastInsertedRowID
                for j in 0..<jobsPerRun {
                    let state = failed && j == 3 ? "user_error" : (failed && j > 3 ? "not_run" : "succeeded")
                    try job.execute(arguments: [id, j, "job-\(j)", state, state == "user_error" ? 1 : 0, started + 1, started + 2])
                    for (k, s) in ["submitted", "running", state].enumerated() {
                        try event.execute(arguments: [id, j, 3 * j + k + 1, started + 1, s])
                    }
                }
            }
        }
    }

    /// User + system CPU time of this process so far.
    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private func ms(since start: Date) -> String {
        String(format: "%.1f ms", Date().timeIntervalSince(start) * 1000)
    }
}
