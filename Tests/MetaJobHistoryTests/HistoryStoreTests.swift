import Foundation
import GRDB
import MetaJobCore
@testable import MetaJobHistory
import MetaJobRunner
import Testing

@Suite struct HistoryStoreTests {
    @Test func defaultPathFollowsEnvironment() {
        #expect(HistoryStore.defaultPath(environment: ["METAJOB_HISTORY": "/x/h.db", "XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/x/h.db")
        #expect(HistoryStore.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/metajob/history.sqlite")
        #expect(HistoryStore.defaultPath(environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"]) == "/h/.local/state/metajob/history.sqlite")
        #expect(HistoryStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/metajob/history.sqlite")
    }

    @Test func opensInWALModeWithIncrementalVacuum() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        #expect(FileManager.default.fileExists(atPath: store.path))
        let (journal, vacuum) = try store.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA auto_vacuum"))
        }
        #expect(journal == "wal")
        #expect(vacuum == 2)
        // Opening again is fine (migrations already applied).
        _ = try HistoryStore(path: store.path)
    }

    @Test func unusablePathIsAClearError() throws {
        let file = temporaryHistoryPath("plain-file")
        let store = try HistoryStore(path: file)
        // A directory cannot be created where a file is.
        #expect(throws: HistoryError.self) { try HistoryStore(path: store.path + "/history.sqlite") }
    }

    @Test func lookupByIdAndPrefix() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        for (id, t) in [("20261124-100000-aaaa", 1.0), ("20261124-100000-aaab", 2.0), ("20261124-110000-bbbb", 3.0)] {
            try recordFinished(store, id, startedAt: t, outcome: .succeeded, jobs: [("a", .succeeded)])
        }
        #expect(try store.run("20261124-100000-aaaa").summary.runId == "20261124-100000-aaaa")
        #expect(try store.run("20261124-11").summary.runId == "20261124-110000-bbbb")
        #expect(try store.run("20261124-100000-aaab").summary.startedAt == 2)
        #expect(throws: HistoryError.ambiguous("20261124-10", ["20261124-100000-aaaa", "20261124-100000-aaab"])) {
            try store.run("20261124-10")
        }
        #expect(throws: HistoryError.notFound("2027")) { try store.run("2027") }
        #expect(throws: HistoryError.notFound("")) { try store.run("") }
        #expect(throws: HistoryError.notFound("2027")) { try store.logs(runId: "2027", job: "a", attempt: nil) }
        #expect(HistoryError.notFound("x").description.contains("metajob history list"))
        // Logs resolve a prefix too.
        #expect(try store.logs(runId: "20261124-11", job: "a", attempt: nil).isEmpty)
    }

    @Test func listFiltersOrderAndCounts() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try recordFinished(store, "r1", metaJob: "alpha", startedAt: 100, outcome: .succeeded,
                           jobs: [("a", .succeeded), ("b", .succeeded)])
        try recordFinished(store, "r2", metaJob: "beta", startedAt: 200, outcome: .failed,
                           jobs: [("a", .succeeded), ("b", .userError), ("c", .notRun)])
        try recordFinished(store, "r3", metaJob: "alpha", startedAt: 300, outcome: .failed,
                           jobs: [("a", .platformError)])
        try recordFinished(store, "r4", metaJob: "alpha", startedAt: 400, outcome: .cancelled, jobs: [("a", .cancelled)])
        // Still running in this (live) process.
        let live = try recordFinished(store, "r5", metaJob: "beta", startedAt: 500, outcome: nil, jobs: [("a", .succeeded)])
        defer { live.close(outcome: .succeeded) }

        let all = try store.listRuns()
        #expect(all.map(\.runId) == ["r5", "r4", "r3", "r2", "r1"])
        #expect(all.map(\.state) == [.running, .cancelled, .failed, .failed, .succeeded] as [StoredRunState])
        #expect(all[3].jobCounts == ["succeeded": 1, "user_error": 1, "not_run": 1])
        #expect(all[3].metaJob == "beta" && all[3].startedAt == 200 && all[3].endedAt != nil)
        #expect(all[0].endedAt == nil)
        #expect(try store.listRuns(limit: 2).map(\.runId) == ["r5", "r4"])
        #expect(try store.listRuns(metaJob: "alpha").map(\.runId) == ["r4", "r3", "r1"])
        #expect(try store.listRuns(state: .failed).map(\.runId) == ["r3", "r2"])
        #expect(try store.listRuns(metaJob: "alpha", state: .failed).map(\.runId) == ["r3"])
        #expect(try store.listRuns(state: .running).map(\.runId) == ["r5"])
        #expect(try store.listRuns(state: .interrupted).isEmpty)
        #expect(try store.listRuns(metaJob: "gamma").isEmpty)
    }

    @Test func deadProcessReadsAsInterrupted() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try store.beginRun(newRun("dead-pid", startedAt: 10, jobs: [NewRunJob(name: "a")]))
        try store.beginRun(newRun("reused-pid", startedAt: 20, jobs: [NewRunJob(name: "a")]))
        try store.beginRun(newRun("stale-heartbeat", startedAt: 30, jobs: [NewRunJob(name: "a")]))
        try store.beginRun(newRun("alive", startedAt: 40, jobs: [NewRunJob(name: "a")]))
        // A pid that existed and is gone: a child we started and reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        try store.pool.write { db in
            try db.execute(sql: "UPDATE runs SET pid = ? WHERE run_id = 'dead-pid'", arguments: [child.processIdentifier])
            // pid 1 exists, but it is not the process that started the run (other start time).
            try db.execute(sql: "UPDATE runs SET pid = 1, pid_start = -5 WHERE run_id = 'reused-pid'")
            try db.execute(sql: "UPDATE runs SET heartbeat_at = heartbeat_at - 120 WHERE run_id = 'stale-heartbeat'")
        }
        #expect(try store.run("dead-pid").summary.state == .interrupted)
        #expect(try store.run("reused-pid").summary.state == .interrupted)
        #expect(try store.run("stale-heartbeat").summary.state == .interrupted)
        #expect(try store.run("alive").summary.state == .running)
        #expect(try store.listRuns(state: .interrupted).map(\.runId) == ["stale-heartbeat", "reused-pid", "dead-pid"])
        #expect(try store.listRuns(state: .running).map(\.runId) == ["alive"])
        #expect(try store.integrityCheck())
        // Interrupted runs may be pruned; the live one never.
        #expect(try store.prune(keep: 0) == 3)
        #expect(try store.listRuns().map(\.runId) == ["alive"])
    }

    @Test func pruneKeepDeletesOldestWithTheirRows() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let live = try recordFinished(store, "live", startedAt: 1, outcome: nil, jobs: [("a", .succeeded)], logLines: 3)
        defer { live.close(outcome: .succeeded) }
        for i in 1...5 {
            try recordFinished(store, "run\(i)", startedAt: Double(100 * i), outcome: .succeeded,
                               jobs: [("a", .succeeded), ("b", .userError)], logLines: 50)
        }
        #expect(try rowCounts(store) == [6, 11, 33, 503])
        // A run's notifications and outside commands go with it too.
        for run in ["run1", "run5"] {
            try store.recordNotification(runId: run, NotificationRecord(hook: "on_failure", target: "mail", ok: false, detail: "exited 1", time: 1))
            try store.recordRequest(runId: run, StoredRequest(time: 1, client: "cli", user: "root", command: "retry b", refused: nil))
        }
        #expect(try store.prune(keep: 2) == 3)
        #expect(try store.notifications(runId: "run5").count == 1 && store.requests(runId: "run5").count == 1)
        let orphans = try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM notifications) + (SELECT count(*) FROM control_requests)")
        }
        #expect(orphans == 2, "run1's notification and request rows were deleted with it")
        #expect(try store.listRuns().map(\.runId) == ["run5", "run4", "live"])
        // Everything of the deleted runs is gone; the kept runs' rows are intact.
        #expect(try rowCounts(store) == [3, 5, 15, 203])
        #expect(try store.logs(runId: "run4", job: "a", attempt: nil).count == 50)
        #expect(throws: HistoryError.notFound("run1")) { try store.logs(runId: "run1", job: "a", attempt: nil) }
        // The deleted runs' log files went with their rows; the kept runs' stayed.
        #expect(!FileManager.default.fileExists(atPath: store.logFilePath(runId: "run1")))
        #expect(FileManager.default.fileExists(atPath: store.logFilePath(runId: "run4")))
        #expect(try store.prune(keep: 2) == 0)
        #expect(try store.integrityCheck())
    }

    @Test func pruneOlderThanDeletesOnlyOlderRuns() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        for i in 1...4 {
            try recordFinished(store, "run\(i)", startedAt: Double(100 * i), outcome: .failed,
                               jobs: [("a", .userError)], logLines: 10)
        }
        #expect(try store.prune(olderThan: 250) == 2)
        #expect(try store.listRuns().map(\.runId) == ["run4", "run3"])
        #expect(try rowCounts(store) == [2, 2, 6, 20])
        #expect(try store.prune(olderThan: 0) == 0)
        #expect(try store.integrityCheck())
    }

    @Test func olderSchemaMigrates() throws {
        let path = temporaryHistoryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        // A file as the first version wrote it: only "v1", and a run in it.
        do {
            let old = try DatabaseQueue(path: path)
            try old.write { try HistorySchema.migrate($0, upTo: "v1") }
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (run_id, meta_job, state, started_at, ended_at, heartbeat_at, host, pid, started_by,
                                      working_directory, command_line, definition_text, settings_json)
                    VALUES ('old-run', 'legacy', 'succeeded', 5, 6, 6, 'elsewhere', 42, 'manual/legacy', '/', '["metajob"]', x'', '{}');
                    INSERT INTO jobs (run, idx, name, fail_dag_on_error, depends_on, state, attempts, exit_code)
                    VALUES (1, 0, 'a', 1, '[]', 'succeeded', 1, 0);
                    INSERT INTO log_lines (run, seq, job, attempt, stream, time, bytes) VALUES (1, 1, 0, 1, 1, 5.5, x'FF00');
                    """)
            }
            #expect(try old.read { db in try HistorySchema.applied(db) } == ["v1"])
        }
        let store = try HistoryStore(path: path)
        let applied = try store.pool.read { db in try HistorySchema.applied(db) }
        // Every migration, in order (later ones appended after these).
        #expect(applied == HistorySchema.migrations.map(\.name))
        #expect(applied.starts(with: ["v1", "v2", "v3", "v4", "v5", "v6-resume-lock", "v7-notifications", "v8-control-socket"]))
        let runs = try store.listRuns(metaJob: "legacy")
        #expect(runs.map(\.runId) == ["old-run"] && runs[0].jobCounts == ["succeeded": 1])
        let detail = try store.run("old")
        #expect(detail.host == "elsewhere" && detail.jobs.map(\.name) == ["a"] && detail.definitionText == [])
        #expect(try store.logs(runId: "old-run", job: "a", attempt: nil).map(\.bytes) == [[0xFF, 0x00]])
        #expect(try store.integrityCheck())
    }

    /// A reader paging through a log a few bytes at a time gets every line once, in order, even where
    /// stdout's and stderr's chunks overlap in sequence.
    @Test func pagedLogReadsGiveEveryLineOnceInOrder() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let recorder = try HistoryRecorder(store: store, run: newRun("paged", startedAt: 1, jobs: [NewRunJob(name: "a")]))
        var sequence: UInt64 = 0
        func send(_ kind: RunEvent.Kind, lines: Int = 1) {
            sequence += 1
            recorder.receive(RunEvent(sequence: sequence, time: 1 + Double(sequence) * 0.001, kind: kind))
            sequence += UInt64(lines - 1)
        }
        send(.job(JobUpdate(job: 0, state: .running, attempt: 1)))
        for k in 0..<30 {
            send(.log(job: 0, attempt: 1, stream: .stdout, lines: LogLines([Array("out \(k)a".utf8), Array("out \(k)b".utf8)])), lines: 2)
            send(.log(job: 0, attempt: 1, stream: .stderr, lines: LogLines([Array("err \(k)".utf8)])))
            if k % 7 == 6 { recorder.sync() }  // several chunks per stream, interleaved
        }
        send(.job(JobUpdate(job: 0, state: .succeeded, attempt: 1, exitCode: 0)))
        send(.runFinished(.succeeded))
        recorder.close(outcome: .succeeded)
        let whole = try store.logs(runId: "paged", job: "a", attempt: nil)
        #expect(whole.count == 90)
        for pageBytes in [1, 20, 100] {
            var paged: [StoredLogLine] = []
            var pages = 0
            while true {
                let page = try store.logs(runId: "paged", job: "a", attempt: nil, after: paged.last?.sequence ?? 0, maxBytes: pageBytes)
                if page.isEmpty { break }
                paged += page
                pages += 1
                try #require(pages < 200, "paging makes progress")
            }
            #expect(paged == whole, "pages of \(pageBytes) bytes")
            #expect(pages > 1, "\(pageBytes) bytes per page takes several pages")
        }
    }

    @Test func outputBytesLiveInTheRunsLogFile() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try recordFinished(store, "run1", startedAt: 1, outcome: .succeeded, jobs: [("a", .succeeded)], logLines: 30)
        let file = try #require(FileManager.default.contents(atPath: store.logFilePath(runId: "run1")))
        #expect(file.count > 30 * "line 0".count)
        let inline = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(length(payload)), 0) FROM log_chunks")! }
        #expect(inline == 0)
        let lines = try store.logs(runId: "run1", job: "a", attempt: nil)
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == (0..<30).map { "line \($0)" })
        #expect(lines.map(\.sequence) == Array(3...32))
        // A reader after a given sequence gets only the later lines (what `history logs --follow` polls).
        #expect(try store.logs(runId: "run1", job: "a", attempt: nil, after: lines[9].sequence).count == 20)
        // A log file that went missing is a clear error, not an empty log.
        try FileManager.default.removeItem(atPath: store.logFilePath(runId: "run1"))
        #expect(throws: HistoryError.self) { try store.logs(runId: "run1", job: "a", attempt: nil) }
    }

    @Test func chunksStoredInlineByV3AreStillRead() throws {
        let path = temporaryHistoryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        do {
            let old = try DatabaseQueue(path: path)
            try old.write { try HistorySchema.migrate($0, upTo: "v3") }
            // Format 1: per line sequence (Int64), time (Double bits), length (UInt32), little endian, then bytes.
            var payload: [UInt8] = []
            for (seq, text) in [(Int64(2), "one"), (Int64(3), "two")] {
                withUnsafeBytes(of: UInt64(seq).littleEndian) { payload += $0 }
                withUnsafeBytes(of: (1.5).bitPattern.littleEndian) { payload += $0 }
                withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { payload += $0 }
                payload += Array(text.utf8)
            }
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (run_id, meta_job, state, started_at, ended_at, heartbeat_at, host, pid, started_by,
                                      working_directory, command_line, definition_text, settings_json)
                    VALUES ('v3-run', 'legacy', 'succeeded', 5, 6, 6, 'elsewhere', 42, 'manual/legacy', '/', '[]', x'', '{}');
                    INSERT INTO jobs (run, idx, name, fail_dag_on_error, depends_on, state, attempts, exit_code)
                    VALUES (1, 0, 'a', 1, '[]', 'succeeded', 1, 0);
                    """)
                try db.execute(sql: """
                    INSERT INTO log_chunks (run, job, attempt, stream, first_seq, last_seq, lines, payload)
                    VALUES (1, 0, 1, 1, 2, 3, 2, ?)
                    """, arguments: [Data(payload)])
            }
        }
        let store = try HistoryStore(path: path)
        #expect(try store.logs(runId: "v3-run", job: "a", attempt: nil).map { String(decoding: $0.bytes, as: UTF8.self) }
                == ["one", "two"])
    }

    /// Rows in runs, jobs, job_events, and stored output lines (old one-row lines plus packed chunks' lines).
    private func rowCounts(_ store: HistoryStore) throws -> [Int] {
        try store.pool.read { db in
            try ["runs", "jobs", "job_events"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")! }
                + [try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM log_lines) + (SELECT coalesce(sum(lines), 0) FROM log_chunks)")!]
        }
    }
}
