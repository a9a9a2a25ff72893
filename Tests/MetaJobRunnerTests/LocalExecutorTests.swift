import Dispatch
import Foundation
import MetaJobCore
@testable import MetaJobRunner
import MetaJobTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Serialized: these tests spawn real processes and one of them counts this process's open fds.
@Suite(.serialized)
struct LocalExecutorTests {
    func text(_ lines: [[UInt8]]) -> [String] { lines.map { String(decoding: $0, as: UTF8.self) } }

    @Test func stdoutAndStderrArriveSeparatelyInOrder() throws {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("echo one; echo two >&2; echo three; echo four >&2; echo five"))
        #expect(harness.waitFinished(key) == .exited(code: 0))
        #expect(text(harness.lines(key, .stdout)) == ["one", "three", "five"])
        #expect(text(harness.lines(key, .stderr)) == ["two", "four"])
        let events = harness.events(for: key)
        guard case .started(_, let executionId) = events.first else {
            Issue.record("first event is not .started: \(events)")
            return
        }
        #expect(executionId == nil)
        guard case .finished = events.last else {
            Issue.record("last event is not .finished: \(events)")
            return
        }
        #expect(harness.violations == 0)
    }

    @Test func exitCodeIsReported() {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("exit 3"))
        #expect(harness.waitFinished(key) == .exited(code: 3))
    }

    /// A shell string of plain words runs without the shell (its parent is this process, its arguments are the
    /// words); anything else, and a program not on PATH, still goes through `/bin/sh -c` as before.
    @Test func plainCommandsSkipTheShellOthersKeepIt() throws {
        // A script printing its parent's pid and its arguments (dash runs even a lone command as its child).
        let dir = NSTemporaryDirectory() + "direct-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ExecutableFile.write("#!/bin/sh\necho $PPID \"$@\"\n", to: dir + "/show.sh")
        let harness = ExecutorHarness()
        let direct = harness.start(harness.shell("./show.sh  one \t two", workingDirectory: dir))
        #expect(harness.waitFinished(direct) == .exited(code: 0))
        #expect(text(harness.lines(direct, .stdout)) == ["\(getpid()) one two"], "spawned by metajob itself, words split on blanks")
        let viaShell = harness.start(harness.shell("./show.sh one; true", workingDirectory: dir))
        #expect(harness.waitFinished(viaShell) == .exited(code: 0))
        let line = try #require(text(harness.lines(viaShell, .stdout)).first)
        #expect(!line.hasPrefix("\(getpid()) "), "`;` needs the shell, which is the parent: \(line)")
        let missing = harness.start(harness.shell("no-such-program-for-metajob --flag"))
        #expect(harness.waitFinished(missing) == .exited(code: 127), "not found: the shell's answer, as before")
    }

    @Test func killedFromOutsideIsSignaled() throws {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("echo $$; exec sleep 1000"))
        let line = try #require(harness.waitFirstLine(key))
        let pid = try #require(pid_t(line))
        #expect(kill(pid, SIGKILL) == 0)
        #expect(harness.waitFinished(key) == .signaled(signal: SIGKILL))
    }

    @Test func missingProgramIsASpawnFailure() {
        let harness = ExecutorHarness()
        let request = LaunchRequest(key: harness.newKey(), jobName: "missing",
                                    argv: ["metajob-no-such-program", "x"], workingDirectory: "/")
        harness.start(request)
        guard case .spawnFailed(let message) = harness.waitFinished(request.key) else {
            Issue.record("expected a spawn failure, got \(harness.events(for: request.key))")
            return
        }
        #expect(message.contains("metajob-no-such-program"))
        #expect(message.contains("No such file or directory"))
        #expect(harness.events(for: request.key).count == 1)
        #expect(harness.violations == 0)
    }

    @Test func missingAbsoluteProgramAndWorkingDirectoryAreSpawnFailures() {
        let harness = ExecutorHarness()
        let absolute = LaunchRequest(key: harness.newKey(), jobName: "missing",
                                     argv: ["/nonexistent/prog"], workingDirectory: "/")
        harness.start(absolute)
        guard case .spawnFailed(let message) = harness.waitFinished(absolute.key) else {
            Issue.record("expected a spawn failure")
            return
        }
        #expect(message.contains("/nonexistent/prog"))
        let badDirectory = harness.shell("true", workingDirectory: "/nonexistent-dir")
        harness.start(badDirectory)
        guard case .spawnFailed(let message2) = harness.waitFinished(badDirectory.key) else {
            Issue.record("expected a spawn failure")
            return
        }
        #expect(message2.contains("/nonexistent-dir"))
    }

    @Test func programIsFoundOnThePath() {
        let harness = ExecutorHarness(baseEnvironment: ["PATH": "/usr/bin:/bin"])
        let request = LaunchRequest(key: harness.newKey(), jobName: "echo", argv: ["echo", "hello"], workingDirectory: "/")
        harness.start(request)
        #expect(harness.waitFinished(request.key) == .exited(code: 0))
        #expect(text(harness.lines(request.key, .stdout)) == ["hello"])
    }

    @Test func workingDirectoryAndEnvironmentReachTheJob() {
        let directory = ProcessProbe.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let harness = ExecutorHarness(baseEnvironment: ["PATH": "/usr/bin:/bin", "FOO": "base", "ONLY_BASE": "kept"])
        let key = harness.start(harness.shell("pwd; echo \"$FOO\"; echo \"$ONLY_BASE\"; echo \"$ONLY_REQUEST\"",
                                              workingDirectory: directory,
                                              environment: ["FOO": "bar baz", "ONLY_REQUEST": "added"]))
        #expect(harness.waitFinished(key) == .exited(code: 0))
        #expect(text(harness.lines(key, .stdout)) == [directory, "bar baz", "kept", "added"])
    }

    @Test func signalsAreResetAndStdinIsEmpty() {
        let harness = ExecutorHarness()
        // Nothing to read on stdin (/dev/null), and a job can die of SIGPIPE as from a shell.
        let key = harness.start(harness.shell("cat; echo read-done; yes | head -n 1"))
        #expect(harness.waitFinished(key) == .exited(code: 0))
        #expect(text(harness.lines(key, .stdout)) == ["read-done", "y"])
    }

    @Test func bytesAreKeptExactly() {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("printf '\\377\\376\\000abc\\r\\n'"))
        #expect(harness.waitFinished(key) == .exited(code: 0))
        #expect(harness.lines(key, .stdout) == [[0xFF, 0xFE, 0x00, 0x61, 0x62, 0x63, 0x0D]])
    }

    @Test func partialLastLineIsReported() {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("printf 'one\\ntwo'; printf 'err' >&2"))
        #expect(harness.waitFinished(key) == .exited(code: 0))
        #expect(text(harness.lines(key, .stdout)) == ["one", "two"])
        #expect(text(harness.lines(key, .stderr)) == ["err"])
    }

    @Test func hugeLineArrivesInMebibytePieces() throws {
        let directory = ProcessProbe.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let size = 5_000_000
        let content = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 253 == 10 ? 11 : $0 % 253) }
        try Data(content).write(to: URL(fileURLWithPath: directory + "/big"))
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("cat big", workingDirectory: directory))
        #expect(harness.waitFinished(key) == .exited(code: 0))
        let pieces = harness.lines(key, .stdout)
        #expect(pieces.count == 5)
        #expect(pieces.dropLast().allSatisfy { $0.count == 1 << 20 })
        // Compared outside #expect, which would print megabytes on a failure.
        let exact = pieces.flatMap { $0 } == content
        #expect(exact)
    }

    @Test func terminateKillsTheWholeGroup() throws {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("sleep 1000 & echo $!; wait"))
        let line = try #require(harness.waitFirstLine(key))
        let grandchild = try #require(pid_t(line))
        #expect(ProcessProbe.isRunning(grandchild))
        harness.terminate(key, graceSeconds: 5)
        #expect(harness.waitFinished(key) == .signaled(signal: SIGTERM))
        #expect(ProcessProbe.waitGone(grandchild))
        #expect(harness.violations == 0)
    }

    @Test func terminateWithoutGraceKillsAtOnce() throws {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("trap '' TERM; echo ready; sleep 1000"))
        _ = try #require(harness.waitFirstLine(key))
        harness.terminate(key, graceSeconds: 0)
        #expect(harness.waitFinished(key, timeout: 5) == .signaled(signal: SIGKILL))
        // Terminating a finished or unknown attempt does nothing.
        harness.terminate(key, graceSeconds: 1)
        harness.terminate(AttemptKey(job: 999_999, attempt: 1), graceSeconds: 1)
    }

    @Test func jobIgnoringTermIsKilledAfterGrace() throws {
        let harness = ExecutorHarness()
        let key = harness.start(harness.shell("trap '' TERM; echo ready; sleep 1000"))
        _ = try #require(harness.waitFirstLine(key))
        let begin = DispatchTime.now()
        harness.terminate(key, graceSeconds: 0.2)
        #expect(harness.waitFinished(key, timeout: 10) == .signaled(signal: SIGKILL))
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1e9
        #expect(elapsed >= 0.2)
    }

    @Test func backgroundChildOfAnExitedLeaderIsKilled() throws {
        let harness = ExecutorHarness()
        // The background sleep keeps the output pipe open: exit must not wait for EOF.
        let key = harness.start(harness.shell("sleep 1000 & echo $!"))
        #expect(harness.waitFinished(key, timeout: 10) == .exited(code: 0))
        let child = try #require(pid_t(text(harness.lines(key, .stdout)).first ?? ""))
        #expect(ProcessProbe.waitGone(child))
    }

    @Test func manyShortJobsLeakNoFileDescriptors() {
        let harness = ExecutorHarness()
        let total = 500
        let before = ProcessProbe.openFDCount()
        let lock = NSLock()
        var started = 0
        var finished = 0
        var failures: [AttemptOutcome] = []
        // Two at a time: each finish starts the next one, on the queue, as the runner does.
        harness.onFinished = { [unowned harness] _, outcome in
            lock.lock()
            finished += 1
            if outcome != .exited(code: 0) { failures.append(outcome) }
            let startNext = started < total
            if startNext { started += 1 }
            lock.unlock()
            if startNext { harness.startOnQueue(harness.shell("true")) }
        }
        lock.lock()
        started = 2
        lock.unlock()
        harness.start(harness.shell("true"))
        harness.start(harness.shell("true"))
        let done = harness.wait(timeout: 60) { events in
            events.reduce(0) { count, event in
                if case .finished = event { return count + 1 }
                return count
            } == total
        }
        #expect(done)
        #expect(failures.isEmpty)
        // Other suites run in parallel and open and close descriptors of their own, so the count may
        // wobble for a moment; a leak of 3 descriptors per job (1,500 here) would never come back down.
        let deadline = Date().addingTimeInterval(5)
        while ProcessProbe.openFDCount() > before + 10 && Date() < deadline { usleep(10_000) }
        #expect(ProcessProbe.openFDCount() <= before + 10, "descriptors leaked: \(ProcessProbe.openFDCount()) open, \(before) before")
        #expect(harness.violations == 0)
    }
}

extension LocalExecutorTests {
    @Test func fallbackWithoutPidfd() throws {
        let harness = ExecutorHarness()
        harness.queue.sync { harness.executor.usesPidfd = false }
        let key = harness.start(harness.shell("echo out; printf err >&2; sleep 1000 & echo $!; exit 4"))
        #expect(harness.waitFinished(key) == .exited(code: 4))
        let lines = text(harness.lines(key, .stdout))
        #expect(lines.first == "out")
        #expect(text(harness.lines(key, .stderr)) == ["err"])
        let child = try #require(pid_t(lines.last ?? ""))
        #expect(ProcessProbe.waitGone(child))
        let terminated = harness.start(harness.shell("trap '' TERM; echo ready; sleep 1000"))
        _ = try #require(harness.waitFirstLine(terminated))
        harness.terminate(terminated, graceSeconds: 0.2)
        #expect(harness.waitFinished(terminated) == .signaled(signal: SIGKILL))
    }
}
