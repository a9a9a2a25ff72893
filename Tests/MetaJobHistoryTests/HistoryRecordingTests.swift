import Foundation
import GRDB
import MetaJobCore
@testable import MetaJobHistory
import MetaJobRunner
import Testing
import MetaJobTestSupport

@Suite struct HistoryRecordingTests {
    /// A log event of n lines takes n sequence numbers; each stored line keeps its own (what `--follow` pages by).
    @Test func aBatchOfLinesIsStoredLineByLineWithConsecutiveSequences() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let recorder = try HistoryRecorder(store: store, run: newRun("20261124-170000-0001", jobs: [NewRunJob(name: "a")]))
        recorder.receive(RunEvent(sequence: 1, time: 1, kind: .job(JobUpdate(job: 0, state: .running, attempt: 1))))
        let batch = LogLines([Array("one".utf8), [], Array("three".utf8)])
        #expect(batch.map { Array($0) } == [Array("one".utf8), [], Array("three".utf8)])
        recorder.receive(RunEvent(sequence: 2, time: 2, kind: .log(job: 0, attempt: 1, stream: .stdout, lines: batch)))
        recorder.receive(RunEvent(sequence: 5, time: 3, kind: .log(job: 0, attempt: 1, stream: .stdout, lines: LogLines([Array("four".utf8)]))))
        recorder.close(outcome: .succeeded)
        let stored = try store.logs(runId: "20261124-170000-0001", job: "a", attempt: 1)
        #expect(stored.map(\.sequence) == [2, 3, 4, 5])
        #expect(stored.map { String(decoding: $0.bytes, as: UTF8.self) } == ["one", "", "three", "four"])
        #expect(try store.logs(runId: "20261124-170000-0001", job: "a", attempt: 1, after: 3).count == 2)
    }

    @Test func aRealRunWithFailuresRoundTrips() throws {
        let path = temporaryHistoryPath()
        let store = try HistoryStore(path: path)
        let work = (path as NSString).deletingLastPathComponent
        let flag = work + "/flaky-flag"
        let jobs = [
            TestRun.job("bytes", [], "printf 'hello\\n'; printf '\\377\\376\\n'; printf 'no newline'"),
            TestRun.job("flaky", [], "if [ -f '\(flag)' ]; then echo second; exit 0; fi; touch '\(flag)'; echo first; echo oops >&2; exit 3",
                                 retries: 1),
            TestRun.job("bad", [], "echo boom; exit 7", failDag: false),
            TestRun.job("fatal", ["flaky"], "exit 2"),
            TestRun.job("down", ["fatal"], "echo never"),
        ]
        let (runId, outcome) = try RecordedLocalRun.run(jobs, store: store)
        #expect(outcome == .failed)

        let detail = try store.run(runId)
        #expect(detail.summary.state == .failed)
        #expect(detail.summary.endedAt != nil)
        #expect(detail.summary.jobCounts == ["succeeded": 2, "user_error": 2, "not_run": 1])
        #expect(detail.jobs.map(\.name) == ["bytes", "flaky", "bad", "fatal", "down"])
        #expect(detail.host == ProcessLiveness.hostName)
        #expect(detail.pid == getpid())
        #expect(detail.commandLine == ["metajob", "run", "test.yaml"])
        #expect(detail.definitionText == Array("name: test\n".utf8))
        let byName = Dictionary(uniqueKeysWithValues: detail.jobs.map { ($0.name, $0) })

        let bytes = try #require(byName["bytes"])
        #expect(bytes.state == "succeeded" && bytes.attempts == 1 && bytes.exitCode == 0)
        #expect(bytes.startedAt != nil && bytes.endedAt != nil)
        #expect(bytes.events.map(\.state).suffix(3) == ["submitted", "running", "succeeded"])

        let flaky = try #require(byName["flaky"])
        #expect(flaky.state == "succeeded" && flaky.attempts == 2)
        #expect(flaky.events.contains { $0.state == "user_error" && $0.attempt == 1 && $0.exitCode == 3 })
        let delayed = try #require(flaky.events.first { $0.state == "delayed" })
        #expect(delayed.delayReason == "retry_backoff")
        #expect(delayed.readyAt.map { abs($0 - delayed.time) < 5 } == true)

        let bad = try #require(byName["bad"])
        #expect(bad.state == "user_error" && bad.exitCode == 7 && bad.reason == "exit code 7")
        let fatal = try #require(byName["fatal"])
        #expect(fatal.state == "user_error" && fatal.exitCode == 2)
        let down = try #require(byName["down"])
        #expect(down.state == "not_run" && down.attempts == 0 && down.exitCode == nil)
        #expect(down.reason?.hasPrefix("not started") == true)

        // Bytes exactly as written, non-UTF-8 included; the last line had no newline.
        let lines = try store.logs(runId: runId, job: "bytes", attempt: nil)
        #expect(lines.map(\.bytes) == [Array("hello".utf8), [0xFF, 0xFE], Array("no newline".utf8)])
        #expect(lines.allSatisfy { $0.stream == .stdout && $0.attempt == 1 })
        #expect(zip(lines, lines.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
        // A follower asks for what came after the last line it saw.
        #expect(try store.logs(runId: runId, job: "bytes", attempt: nil, after: lines[0].sequence).count == 2)

        // Per attempt: the default is the last one.
        let first = try store.logs(runId: runId, job: "flaky", attempt: 1)
        #expect(Set(first.map { String(decoding: $0.bytes, as: UTF8.self) }) == ["first", "oops"])
        #expect(first.first { $0.stream == .stderr }.map { String(decoding: $0.bytes, as: UTF8.self) } == "oops")
        let last = try store.logs(runId: runId, job: "flaky", attempt: nil)
        #expect(last.map { String(decoding: $0.bytes, as: UTF8.self) } == ["second"])
        #expect(last.allSatisfy { $0.attempt == 2 })
        #expect(try store.logs(runId: runId, job: "flaky", attempt: 2).map(\.bytes) == last.map(\.bytes))
        #expect(try store.logs(runId: runId, job: "down", attempt: nil).isEmpty)
        #expect(throws: HistoryError.jobNotFound(run: runId, job: "nope")) {
            try store.logs(runId: runId, job: "nope", attempt: nil)
        }
        #expect(try store.integrityCheck())
    }

    @Test func reopenedRunReadsRunningAgainThenFinishes() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let recorder = try recordFinished(store, "20261124-120000-0001", startedAt: 1000, outcome: nil,
                                          jobs: [("a", .userError)])
        recorder.receive(RunEvent(sequence: 100, time: 1001, kind: .runFinished(.failed)))
        recorder.receive(RunEvent(sequence: 101, time: 1002, kind: .runReopened))
        recorder.receive(RunEvent(sequence: 102, time: 1003, kind: .job(JobUpdate(job: 0, state: .pending, attempt: 1))))
        // Let the batch timer write: a reader sees the reopened run as running.
        Thread.sleep(forTimeInterval: 0.4)
        var detail = try store.run("20261124-120000-0001")
        #expect(detail.summary.state == .running)
        #expect(detail.summary.endedAt == nil)
        #expect(detail.jobs[0].state == "pending" && detail.jobs[0].endedAt == nil)
        recorder.receive(RunEvent(sequence: 103, time: 1004, kind: .job(JobUpdate(job: 0, state: .succeeded, attempt: 2, exitCode: 0))))
        recorder.receive(RunEvent(sequence: 104, time: 1005, kind: .runFinished(.succeeded)))
        recorder.close(outcome: .succeeded)
        detail = try store.run("20261124-120000-0001")
        #expect(detail.summary.state == .succeeded && detail.summary.endedAt == 1005)
        #expect(detail.jobs[0].attempts == 2 && detail.jobs[0].endedAt == 1004)
        #expect(detail.jobs[0].events.map(\.state) == ["submitted", "running", "user_error", "pending", "succeeded"])
    }

    @Test func twoRecordersAndAReaderAtOnce() throws {
        let path = temporaryHistoryPath()
        let reader = try HistoryStore(path: path)
        let ids = ["20261124-130000-0001", "20261124-130000-0002"]
        let lineCount = 20_000
        let failures = FailureBox()
        let group = DispatchGroup()
        for id in ids {
            DispatchQueue.global().async(group: group) {
                do {
                    // Its own store, as another process would have: the two writers meet in SQLite's lock.
                    let store = try HistoryStore(path: path)
                    let recorder = try HistoryRecorder(store: store, run: newRun(id, jobs: [NewRunJob(name: "chatty")]))
                    recorder.receive(RunEvent(sequence: 1, time: 1, kind: .job(JobUpdate(job: 0, state: .running, attempt: 1))))
                    for i in 0..<lineCount {
                        recorder.receive(RunEvent(sequence: UInt64(i + 2), time: 2, kind: .log(job: 0, attempt: 1, stream: .stdout,
                                                                                               lines: LogLines([Array("\(id) \(i)".utf8)]))))
                    }
                    recorder.receive(RunEvent(sequence: UInt64(lineCount + 2), time: 3,
                                              kind: .job(JobUpdate(job: 0, state: .succeeded, attempt: 1, exitCode: 0))))
                    recorder.close(outcome: .succeeded)
                    if let error = recorder.error { failures.add("\(error)") }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        // Poll both runs' logs the way `history logs --follow` would, until every line arrived.
        var seen = [Int64](repeating: 0, count: ids.count)
        var counts = [Int](repeating: 0, count: ids.count)
        let deadline = Date().addingTimeInterval(60)
        while counts.contains(where: { $0 < lineCount }) && Date() < deadline {
            for (k, id) in ids.enumerated() {
                do {
                    let lines = try reader.logs(runId: id, job: "chatty", attempt: 1, after: seen[k])
                    for line in lines {
                        #expect(line.sequence == seen[k] + (seen[k] == 0 ? 2 : 1))
                        #expect(line.bytes == Array("\(id) \(line.sequence - 2)".utf8))
                        seen[k] = line.sequence
                    }
                    counts[k] += lines.count
                } catch HistoryError.notFound {
                    // Not begun yet.
                } catch {
                    failures.add("reader: \(error)")
                }
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        group.wait()
        #expect(failures.all.isEmpty)
        #expect(counts == [lineCount, lineCount])
        for id in ids { #expect(try reader.run(id).summary.state == .succeeded) }
        #expect(try reader.integrityCheck())
    }

    @Test func heartbeatKeepsAnIdleRunAlive() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let recorder = try HistoryRecorder(store: store, run: newRun("20261124-150000-0001", jobs: [NewRunJob(name: "a")]))
        defer { recorder.close(outcome: .succeeded) }
        // Make the heartbeat look two minutes old: the run reads as interrupted…
        try store.pool.write { db in try db.execute(sql: "UPDATE runs SET heartbeat_at = heartbeat_at - 120") }
        #expect(try store.run("20261124-150000-0001").summary.state == .interrupted)
        // …until the recorder's timer writes a fresh one, with no event at all.
        let deadline = Date().addingTimeInterval(6)
        var state = StoredRunState.interrupted
        while Date() < deadline {
            state = try store.run("20261124-150000-0001").summary.state
            if state == .running { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(state == .running)
    }

    @Test func aLockedFileIsRetriedNotLost() throws {
        let path = temporaryHistoryPath()
        let store = try HistoryStore(path: path, busyTimeout: 0.1)
        let recorder = try HistoryRecorder(store: store, run: newRun("20261124-160000-0001", jobs: [NewRunJob(name: "a")]))
        // Another process holds the write lock for longer than the busy timeout.
        let blocker = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? blocker.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                locked.signal()
                Thread.sleep(forTimeInterval: 0.8)
                try db.execute(sql: "COMMIT")
            }
            released.signal()
        }
        locked.wait()
        for i in 0..<100 {
            recorder.receive(RunEvent(sequence: UInt64(i + 1), time: 1, kind: .log(job: 0, attempt: 1, stream: .stdout,
                                                                                   lines: LogLines([Array("line \(i)".utf8)]))))
        }
        // The first batch fails on the lock and is kept.
        Thread.sleep(forTimeInterval: 0.3)
        released.wait()
        recorder.close(outcome: .succeeded)
        #expect(recorder.error == nil)
        #expect(recorder.retriedBatches > 0)
        #expect(try store.logs(runId: "20261124-160000-0001", job: "a", attempt: 1).count == 100)
        #expect(try store.run("20261124-160000-0001").summary.state == .succeeded)
    }

    @Test func backpressureBoundsBufferedBytes() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let recorder = try HistoryRecorder(store: store, run: newRun("20261124-140000-0001", jobs: [NewRunJob(name: "big")]))
        // 64 MB in 64 KB lines: receive must block on the writer now and then instead of buffering it all.
        let line = [UInt8](repeating: 0x41, count: 64 << 10)
        for i in 0..<1024 {
            recorder.receive(RunEvent(sequence: UInt64(i + 1), time: 1, kind: .log(job: 0, attempt: 1, stream: .stderr, lines: LogLines([line]))))
        }
        recorder.close(outcome: .succeeded)
        #expect(recorder.error == nil)
        #expect(recorder.peakBufferedBytes <= HistoryRecorder.maxBufferedBytes + line.count)
        let lines = try store.logs(runId: "20261124-140000-0001", job: "big", attempt: 1)
        #expect(lines.count == 1024 && lines.allSatisfy { $0.bytes == line && $0.stream == .stderr })
    }
}

/// Errors collected from several threads.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
