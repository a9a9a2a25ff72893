import Foundation
import GRDB
import MetaJobCore
@testable import MetaJobHistory
import MetaJobTestSupport
import Testing

/// The history against damaged files and unusable directories: refused with a clear error, never replaced.
@Suite("history refuses what it cannot use")
struct HistoryRefusalTests {
    @Test func oneByteHistoryFileIsRefusedAndKept() throws {
        let path = temporaryHistoryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data([0x53]).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try HistoryStore(path: path)
        } throws: { error in
            guard case let .cannotOpen(p, reason)? = error as? HistoryError else { return false }
            return p == path && reason.contains("1 byte") && reason.contains("not an SQLite database")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([0x53]))
    }

    @Test func textFileIsRefusedAndKept() throws {
        let path = temporaryHistoryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let text = Data(String(repeating: "not a database\n", count: 100).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        #expect(throws: HistoryError.self) { _ = try HistoryStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
    }

    @Test func emptyFileIsANewHistory() throws {
        let path = temporaryHistoryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let store = try HistoryStore(path: path)
        try recordFinished(store, "r1", startedAt: 1, outcome: .succeeded, jobs: [("a", .succeeded)])
        #expect(try store.run("r1").summary.state == .succeeded)
    }

    /// Each broken logs directory is refused by the recorder before the run is inserted.
    @Test(arguments: ["dangling", "file", "devnull"])
    func unusableLogsDirectoryIsRefusedBeforeTheRunStarts(_ kind: String) throws {
        let path = temporaryHistoryPath()
        let store = try HistoryStore(path: path)
        let logs = store.logsDirectory
        switch kind {
        case "dangling": try FileManager.default.createSymbolicLink(atPath: logs, withDestinationPath: logs + "-gone")
        case "file": _ = FileManager.default.createFile(atPath: logs, contents: Data("x".utf8))
        default: try FileManager.default.createSymbolicLink(atPath: logs, withDestinationPath: "/dev/null")
        }
        #expect {
            _ = try HistoryRecorder(store: store, run: newRun("r1", jobs: [NewRunJob(name: "a")]))
        } throws: { error in
            guard case let .logsDirectoryUnusable(p, _)? = error as? HistoryError else { return false }
            return p == logs
        }
        #expect(try store.listRuns().isEmpty)
        let message = "\(HistoryError.logsDirectoryUnusable(path: logs, reason: "x"))"
        #expect(message.contains("--no-history") && message.contains(logs))
    }

    @Test(.enabled(if: TmpfsMount.missingReason == nil, "\(TmpfsMount.missingReason ?? "")"))
    func readOnlyLogsDirectoryIsRefused() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let readOnly = try TmpfsMount(kibibytes: 64, readOnly: true)
        defer { readOnly.remove() }
        try FileManager.default.createSymbolicLink(atPath: store.logsDirectory, withDestinationPath: readOnly.path)
        #expect {
            try store.checkLogsDirectory()
        } throws: { error in
            guard case let .logsDirectoryUnusable(_, reason)? = error as? HistoryError else { return false }
            return reason.contains("Read-only")
        }
    }

    /// A log segment header damaged on disk (a sequence number near Int64.max) is an error naming the file,
    /// not an arithmetic overflow.
    @Test func damagedSegmentHeaderIsAnError() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try recordFinished(store, "r1", startedAt: 1, outcome: .succeeded, jobs: [("a", .succeeded)], logLines: 5)
        #expect(try store.logs(runId: "r1", job: "a", attempt: 1).count == 5)
        let file = store.logFilePath(runId: "r1")
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        try handle.seek(toOffset: 0)
        handle.write(Data(repeating: 0xFF, count: 7) + Data([0x7F]))
        try handle.close()
        #expect {
            _ = try store.logs(runId: "r1", job: "a", attempt: 1)
        } throws: { error in
            guard case let .logFileDamaged(path, offset, _)? = error as? HistoryError else { return false }
            return path == file && offset == 0
        }
    }

    @Test func segmentClaimingMoreBytesThanItsChunkIsAnError() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try recordFinished(store, "r1", startedAt: 1, outcome: .succeeded, jobs: [("a", .succeeded)], logLines: 3)
        let file = store.logFilePath(runId: "r1")
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        try handle.seek(toOffset: 20)  // the first segment's byte count
        handle.write(Data([0xFF, 0xFF, 0xFF, 0x7F]))
        try handle.close()
        #expect(throws: HistoryError.self) { _ = try store.logs(runId: "r1", job: "a", attempt: 1) }
    }
}

/// The resume lock: one resume of a run at a time; a run resumed before says so.
@Suite("history resume lock")
struct HistoryResumeLockTests {
    @Test func secondResumeWhileTheFirstIsGoingIsRefusedWithItsId() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try recordFinished(store, "a", startedAt: 1, outcome: .failed, jobs: [("x", .userError)])
        // b is alive: this process records it.
        let b = try HistoryRecorder(store: store, run: newRun("b", jobs: [NewRunJob(name: "x")], resumedFrom: "a"))
        #expect(try store.run("a").summary.resumedBy == "b")
        #expect(throws: HistoryError.resumeLocked(run: "a", holder: "b", pid: getpid(), host: ProcessLiveness.hostName)) {
            _ = try store.insertRun(newRun("c", jobs: [NewRunJob(name: "x")], resumedFrom: "a"))
        }
        // Not even with --force: b is running the same jobs.
        var forced = newRun("c", jobs: [NewRunJob(name: "x")], resumedFrom: "a")
        forced.resumeAnyway = true
        #expect(throws: HistoryError.self) { _ = try store.insertRun(forced) }
        #expect(try store.listRuns().map(\.runId).sorted() == ["a", "b"])
        b.close(outcome: .succeeded)
        // Over now: resuming a again says where to look, and --force goes ahead.
        #expect(throws: HistoryError.alreadyResumed(run: "a", by: "b", state: .succeeded)) {
            _ = try store.insertRun(newRun("c", jobs: [NewRunJob(name: "x")], resumedFrom: "a"))
        }
        _ = try store.insertRun(forced)
        #expect(try store.run("a").summary.resumedBy == "c")
        #expect(try store.run("c").summary.resumedFrom == "a")
    }

    /// A resumer that died holds nothing: its row reads interrupted, so the lock is free (the run was still
    /// resumed once, which is said).
    @Test func deadResumerHoldsNoLock() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try recordFinished(store, "a", startedAt: 1, outcome: .failed, jobs: [("x", .userError)])
        _ = try store.insertRun(newRun("b", jobs: [NewRunJob(name: "x")], resumedFrom: "a"))
        #expect(throws: HistoryError.self) { _ = try store.insertRun(newRun("c", jobs: [], resumedFrom: "a")) }
        // b's process is gone (a pid that cannot be alive).
        try store.pool.write { db in try db.execute(sql: "UPDATE runs SET pid = 2147483646, pid_start = 1 WHERE run_id = 'b'") }
        #expect(try store.run("b").summary.state == .interrupted)
        #expect(throws: HistoryError.alreadyResumed(run: "a", by: "b", state: .interrupted)) {
            _ = try store.insertRun(newRun("c", jobs: [], resumedFrom: "a"))
        }
    }

    /// A live run anywhere later in the chain holds the lock of every run before it.
    @Test func liveRunLaterInTheChainHoldsTheLock() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        try recordFinished(store, "a", startedAt: 1, outcome: .failed, jobs: [("x", .userError)])
        var b = newRun("b", jobs: [NewRunJob(name: "x")], resumedFrom: "a")
        b.runId = "b"
        let recorderB = try HistoryRecorder(store: store, run: b)
        recorderB.close(outcome: .failed)
        let recorderC = try HistoryRecorder(store: store, run: newRun("c", jobs: [NewRunJob(name: "x")], resumedFrom: "b"))
        defer { recorderC.close(outcome: .failed) }
        var forced = newRun("d", jobs: [], resumedFrom: "a")
        forced.resumeAnyway = true
        #expect(throws: HistoryError.resumeLocked(run: "a", holder: "c", pid: getpid(), host: ProcessLiveness.hostName)) {
            _ = try store.insertRun(forced)
        }
        #expect(try store.resumeChain(after: "a").map(\.summary.runId) == ["b", "c"])
    }

    @Test func storedJobsKeepTheirDependencies() throws {
        let store = try HistoryStore(path: temporaryHistoryPath())
        let recorder = try HistoryRecorder(store: store, run: newRun("r", jobs: [
            NewRunJob(name: "a"), NewRunJob(name: "b", dependsOn: ["a"]), NewRunJob(name: "c", dependsOn: ["a", "b"]),
        ]))
        recorder.close(outcome: .succeeded)
        #expect(try store.run("r").jobs.map(\.dependsOn) == [[], ["a"], ["a", "b"]])
    }
}

/// The recorder on a real full disk (a tmpfs it fills): states and the outcome wait and are written once space
/// returns; only output is dropped, and the recorder says which.
@Suite("history on a full disk", .enabled(if: TmpfsMount.missingReason == nil, "\(TmpfsMount.missingReason ?? "")"))
struct HistoryFullDiskTests {
    /// Fills the file system at `dir` with a file; returns its path.
    func fill(_ dir: String) -> String {
        let path = dir + "/filler"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let block = [UInt8](repeating: 0, count: 64 << 10)
        while write(fd, block, block.count) > 0 {}
        var small = [UInt8](repeating: 0, count: 1)
        while write(fd, &small, 1) > 0 {}
        close(fd)
        return path
    }

    @Test func statesWaitForSpaceAndOutputLossIsNamed() throws {
        let disk = try TmpfsMount(kibibytes: 1024)
        defer { disk.remove() }
        let store = try HistoryStore(path: disk.path + "/history.sqlite")
        let recorder = try HistoryRecorder(store: store, run: newRun("full", jobs: [NewRunJob(name: "ok"), NewRunJob(name: "bad")]))
        var sequence: UInt64 = 0
        func send(_ kind: RunEvent.Kind) {
            sequence += 1
            recorder.receive(RunEvent(sequence: sequence, time: 1_000 + Double(sequence), kind: kind))
        }
        send(.job(JobUpdate(job: 0, state: .submitted, attempt: 1)))
        send(.job(JobUpdate(job: 0, state: .running, attempt: 1)))
        recorder.sync()
        let filler = fill(disk.path)
        // While the disk is full: output, states, the end of the run.
        for i in 0..<200 { send(.log(job: 0, attempt: 1, stream: .stdout, lines: LogLines([Array("while full \(i) \(String(repeating: "x", count: 200))".utf8)]))) }
        send(.job(JobUpdate(job: 0, state: .succeeded, attempt: 1, exitCode: 0)))
        send(.job(JobUpdate(job: 1, state: .submitted, attempt: 1)))
        send(.job(JobUpdate(job: 1, state: .running, attempt: 1)))
        send(.job(JobUpdate(job: 1, state: .userError, attempt: 1, exitCode: 3, reason: "exit code 3")))
        send(.runFinished(.failed))
        recorder.sync()
        #expect(try store.run("full").jobs[1].state == "pending", "the disk was not full: the test proves nothing")
        unlink(filler)
        recorder.close(outcome: .failed)
        let detail = try store.run("full")
        #expect(detail.summary.state == .failed)
        #expect(detail.jobs.map(\.state) == ["succeeded", "user_error"])
        #expect(detail.jobs[1].exitCode == 3)
        #expect(detail.jobs[1].events.map(\.state) == ["submitted", "running", "user_error"])
        let report = "\(try #require(recorder.error))"
        #expect(report.contains("output of job ok (attempt 1, stdout)"), "\(report)")
        #expect(report.contains("every state, exit code and the outcome were recorded"), "\(report)")
        #expect(detail.recordingGaps.contains { $0.contains("output of job ok") })
        #expect(try store.integrityCheck())
    }

    /// Space never returns: the end is still written if a page can be, and said when it cannot.
    @Test func endIsWrittenOrItsLossIsSaid() throws {
        let disk = try TmpfsMount(kibibytes: 1024)
        defer { disk.remove() }
        let store = try HistoryStore(path: disk.path + "/history.sqlite")
        let recorder = try HistoryRecorder(store: store, run: newRun("stuck", jobs: [NewRunJob(name: "a")]))
        recorder.closePatience = 1
        recorder.receive(RunEvent(sequence: 1, time: 5, kind: .job(JobUpdate(job: 0, state: .submitted, attempt: 1))))
        recorder.sync()
        _ = fill(disk.path)
        recorder.receive(RunEvent(sequence: 2, time: 6, kind: .job(JobUpdate(job: 0, state: .userError, attempt: 1, exitCode: 1))))
        recorder.receive(RunEvent(sequence: 3, time: 7, kind: .runFinished(.failed)))
        recorder.close(outcome: .failed)
        let state = try store.run("stuck").summary.state
        if state == .failed {
            #expect(try store.run("stuck").jobs[0].state == "user_error")
        } else {
            #expect("\(try #require(recorder.error))".contains("the run's end (failed) could not be written"))
        }
    }
}
