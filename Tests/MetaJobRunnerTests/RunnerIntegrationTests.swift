import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner
import MetaJobTestSupport

@Suite("Runner over real processes")
struct RunnerIntegrationTests {
    @Test func diamondRunsInDependencyOrder() throws {
        let (runner, rec) = TestRun.make([
            TestRun.job("job1", [], "echo one"), TestRun.job("job2", ["job1"], "echo two"), TestRun.job("job3", ["job1"], "echo three"),
            TestRun.job("job4", ["job1"], "echo four"), TestRun.job("job5", ["job2", "job3"], "echo five"), TestRun.job("job6", ["job4"], "echo six"),
        ])
        runner.start()
        #expect(rec.waitForFinish())
        #expect(rec.outcome == .succeeded)
        let started = rec.order(of: .submitted)
        let ended = rec.order(of: .succeeded)
        func before(_ a: String, _ b: String) -> Bool { ended.firstIndex(of: a)! < started.firstIndex(of: b)! }
        #expect(started.count == 6 && ended.count == 6)
        for (dep, job) in [("job1", "job2"), ("job1", "job3"), ("job1", "job4"), ("job2", "job5"), ("job3", "job5"), ("job4", "job6")] {
            #expect(before(dep, job), "\(dep) must end before \(job) starts")
        }
        #expect(rec.lines("job5") == ["five"])
        // Each job's output arrives before its final state.
        let events = rec.events
        let logIndex = events.firstIndex { if case .log(let job, _, _, _) = $0.kind { return job == 0 } else { return false } }!
        let endIndex = events.firstIndex { if case .job(let u) = $0.kind { return u.job == 0 && u.state == .succeeded } else { return false } }!
        #expect(logIndex < endIndex)
    }

    @Test func failingJobFailsTheMetaJobAndWaitsForSiblings() {
        let (runner, rec) = TestRun.make([
            TestRun.job("bad", [], "echo boom >&2; exit 3"), TestRun.job("slow", [], "sleep 0.3; echo done"), TestRun.job("after", ["bad"], "echo never"),
        ])
        runner.start()
        #expect(rec.waitForFinish())
        #expect(rec.outcome == .failed)
        let final = runner.snapshot()
        #expect(final.jobs[0].state == .userError && final.jobs[0].exitCode == 3)
        #expect(final.jobs[1].state == .succeeded, "--on-failure wait lets running jobs finish")
        #expect(final.jobs[2].state == .notRun)
        #expect(rec.lines("bad", .stderr) == ["boom"])
    }

    @Test func failingJobWithOnFailureCancelStopsSiblings() {
        let (runner, rec) = TestRun.make([TestRun.job("bad", [], "sleep 0.1; exit 1"), TestRun.job("slow", [], "sleep 30")],
                                          settings: RunSettings(onFailure: .cancel, terminationGraceSeconds: 1))
        let t0 = Date()
        runner.start()
        #expect(rec.waitForFinish())
        #expect(Date().timeIntervalSince(t0) < 10)
        #expect(rec.outcome == .failed)
        #expect(runner.snapshot().jobs[1].state == .cancelled)
    }

    @Test func jobWithoutFailDagOnErrorDoesNotFailTheRun() {
        let (runner, rec) = TestRun.make([TestRun.job("optional", [], "exit 1", failDag: false), TestRun.job("next", ["optional"], "echo ran")])
        runner.start()
        #expect(rec.waitForFinish())
        #expect(rec.outcome == .succeeded)
        #expect(rec.lines("next") == ["ran"])
    }

    @Test func flakyJobSucceedsOnRetry() {
        let script = #"echo "attempt $METAJOB_ATTEMPT"; [ "$METAJOB_ATTEMPT" -ge 3 ]"#
        let (runner, rec) = TestRun.make([TestRun.job("flaky", [], script, retries: 2, retryDelay: 0.05)])
        runner.start()
        #expect(rec.waitForFinish())
        #expect(rec.outcome == .succeeded)
        #expect(rec.lines("flaky") == ["attempt 1", "attempt 2", "attempt 3"])
        let states = rec.updates.map(\.update.state)
        #expect(states.filter { $0 == .delayed }.count == 2)
        #expect(runner.snapshot().jobs[0].attempt == 3)
    }

    @Test func argumentsAndIdentityReachTheJob() {
        let args = JSONValue.object([("since", .string("2026-11-01")), ("limit", .int(5)), ("dry", .bool(false))])
        let script = #"printf '%s\n' "$METAJOB_ARGUMENTS" "$METAJOB_JOB_NAME" "$METAJOB_ATTEMPT" "$METAJOB_RUN_ID""#
        let (runner, rec) = TestRun.make([TestRun.job("args", [], script, arguments: args)])
        runner.start()
        #expect(rec.waitForFinish())
        let lines = rec.lines("args")
        #expect(lines.count == 4)
        #expect(lines.first == #"{"since":"2026-11-01","limit":5,"dry":false}"#)
        #expect(lines.dropFirst().first == "args")
        #expect(lines.dropFirst(2).first == "1")
        #expect(lines.last == runner.info.runId)
    }

    @Test func cancelKillsTheJobsWholeProcessGroup() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-cancel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The grandchild ignores SIGTERM: only the group SIGKILL after the grace period ends it.
        let script = "sh -c 'trap \"\" TERM; sleep 600' & echo $! > grandchild.pid; echo started; wait"
        let (runner, rec) = TestRun.make([TestRun.job("victim", [], script)],
                                          settings: RunSettings(terminationGraceSeconds: 0.3), directory: dir)
        runner.start()
        // Wait for the grandchild to exist.
        let pidFile = dir + "/grandchild.pid"
        var pid: pid_t = 0
        for _ in 0..<500 where pid == 0 {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let p = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) { pid = p } else { usleep(10_000) }
        }
        #expect(pid > 0)
        runner.send(.cancel(job: 0))
        #expect(rec.waitForFinish())
        #expect(runner.snapshot().jobs[0].state == .cancelled)
        #expect(ProcessProbe.waitGone(pid, timeout: 2), "the grandchild must be gone")
    }

    @Test func jobsGetOnlyStandardDescriptors() throws {
        // An fd this process holds without close-on-exec, as a parent's pipe would be.
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        #expect(fd > 2)
        let (runner, rec) = TestRun.make([TestRun.job("fds", [], "ls /proc/$$/fd; true")])
        runner.start()
        #expect(rec.waitForFinish())
        // No pipe (`| tr`): the shell holds a pipeline's fds while it forks, which `ls` would list.
        #expect(rec.lines("fds") == ["0", "1", "2"])
    }

    @Test func nonUTF8OutputIsKeptByteExact() {
        let (runner, rec) = TestRun.make([TestRun.job("bytes", [], #"printf 'ok\n\377\376\000x\r\nlast'"#)])
        runner.start()
        #expect(rec.waitForFinish())
        #expect(rec.rawLines("bytes") == [Array("ok".utf8), [0xFF, 0xFE, 0x00, 0x78, 0x0D], Array("last".utf8)])
    }

    @Test func timeoutEndsAsPlatformError() {
        let (runner, rec) = TestRun.make([TestRun.job("slow", [], "sleep 30", timeout: 0.2)],
                                          settings: RunSettings(terminationGraceSeconds: 0.5))
        runner.start()
        #expect(rec.waitForFinish())
        let record = runner.snapshot().jobs[0]
        #expect(record.state == .platformError)
        #expect(record.reason == "timed out after 0.2s")
    }

    @Test func lateSubscriberGetsSnapshotThenEveryLaterEvent() {
        let jobs = (0..<40).map { TestRun.job("j\($0)", $0 == 0 ? [] : ["j\($0 - 1)"], "true") }
        let (runner, early) = TestRun.make(jobs)
        runner.start()
        usleep(20_000)
        let late = RunEvents()
        runner.subscribe(late)
        #expect(early.waitForFinish())
        #expect(late.waitForFinish())
        let snapshotSeq = late.snapshot!.sequence
        let expected = early.events.filter { $0.sequence > snapshotSeq }.map(\.sequence)
        #expect(late.events.map(\.sequence) == expected, "nothing lost or doubled after the snapshot")
        // Applying the late events to the snapshot's records gives the same final states.
        var states = late.snapshot!.jobs.map(\.state)
        for e in late.events { if case .job(let u) = e.kind { states[u.job] = u.state } }
        #expect(states == runner.snapshot().jobs.map(\.state))
    }

    @Test func stopCommandCancelsTheRun() {
        let (runner, rec) = TestRun.make([TestRun.job("long", [], "sleep 30"), TestRun.job("next", ["long"], "true")],
                                          settings: RunSettings(terminationGraceSeconds: 0.5))
        runner.start()
        usleep(100_000)
        runner.send(.stop(immediate: false))
        #expect(rec.waitForFinish())
        #expect(rec.outcome == .cancelled)
        let jobs = runner.snapshot().jobs
        #expect(jobs[0].state == .cancelled && jobs[1].state == .notRun)
    }

    @Test func vdkDataJobDirectoryRunsThroughVdkRun() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-vdk-\(UUID().uuidString)").path
        let bin = root + "/bin"
        try FileManager.default.createDirectory(atPath: root + "/ingest", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A stand-in `vdk` that records its argv and writes a run summary like vdk-core does.
        let fake = """
        #!/bin/sh
        echo "vdk $*"
        printf '{"status": "error", "blamee": "User Error", "details": "bad input"}' > "$JOB_RUN_SUMMARY_FILE_PATH"
        exit 1
        """
        try ExecutableFile.write(fake, to: bin + "/vdk")
        var job = JobDefinition(name: "ingest", dependsOn: [], arguments: .object([("a", .int(1))]))
        job.env = [EnvironmentVariable(name: "PATH", value: bin + ":/usr/bin:/bin")]
        let (runner, rec) = TestRun.make([job], directory: root)
        runner.start()
        #expect(rec.waitForFinish())
        #expect(rec.lines("ingest") == ["vdk run \(root)/ingest --arguments {\"a\":1}"])
        #expect(runner.snapshot().jobs[0].state == .userError)
    }

    @Test func missingDataJobDirectoryIsAValidationError() {
        let definition = MetaJobDefinition(name: "t", jobs: [JobDefinition(name: "nowhere", line: 4)], directory: "/nonexistent-dir")
        let result = JobResolver.resolve(definition, defaultExecutor: .local, localRunJobPath: "/also-missing")
        guard case .failure(let report) = result else { Issue.record("expected a failure"); return }
        #expect(report.issues.count == 1)
        #expect(report.issues[0].jobs == ["nowhere"] && report.issues[0].line == 4)
        #expect(report.issues[0].reason.contains("/nonexistent-dir") && report.issues[0].reason.contains("/also-missing"))
    }
}
