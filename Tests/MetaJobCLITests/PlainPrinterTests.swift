import Foundation
import Testing
@testable import MetaJobCLI
import MetaJobCore

/// The plain printer's job lines, byte for byte: it writes them piece by piece into the output buffer, so
/// every optional part (details, reason, next try) and its separators are checked here.
@Suite("Plain printer lines")
struct PlainPrinterTests {
    /// Prints `updates` as job events at `time` through a PlainPrinter writing into a temporary file; returns the text.
    private func printed(_ updates: [JobUpdate], time: Double, wallClockOrigin: Double) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID().uuidString).txt").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(fd >= 0, "cannot create \(path)")
        defer { unlink(path) }
        let out = OutputWriter(fd: fd)
        let printer = PlainPrinter(out: out, showLogs: false)
        let names = ["alpha", "b"]
        let state = RunState(graph: JobGraph(names: names, dependsOn: [[], []]), plans: names.map { JobPlan(name: $0) })
        let info = RunInfo(runId: "r1", metaJobName: "m", startedBy: "manual/metajob",
                           jobs: names.map { JobDefinition(name: $0) })
        printer.attach(RunSnapshot(info: info, state: state, sequence: 0, wallClockOrigin: wallClockOrigin))
        for (i, update) in updates.enumerated() {
            printer.receive(RunEvent(sequence: UInt64(i + 1), time: time, kind: .job(update)))
        }
        out.flush()
        close(fd)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func jobLinesCarryTheirDetailsInOrder() throws {
        let time = 1_795_532_412.0
        let stamp = TimeFormat.clock(time)
        let text = try printed([
            JobUpdate(job: 0, state: .queued, attempt: 0),
            JobUpdate(job: 0, state: .running, attempt: 1),
            JobUpdate(job: 0, state: .succeeded, attempt: 1, exitCode: 0),
            JobUpdate(job: 1, state: .userError, attempt: 2, exitCode: 3, reason: "exit code 3\u{1B}[2J",
                      executionId: "ex-1"),
            JobUpdate(job: 1, state: .cancelled, attempt: 0, reason: "cancelled by the user before it started"),
        ], time: time, wallClockOrigin: time - 100)
        #expect(text == """
            \(stamp) alpha queued
            \(stamp) alpha running (attempt 1)
            \(stamp) alpha succeeded (attempt 1)
            \(stamp) b     user_error (attempt 2, exit code 3, execution ex-1): exit code 3\\x1b[2J
            \(stamp) b     cancelled: cancelled by the user before it started

            """)
    }

    @Test func delayedLineSaysWhenTheNextTryIs() throws {
        let origin = 1_795_532_400.0
        let time = origin + 2.5
        let text = try printed([
            JobUpdate(job: 1, state: .delayed, attempt: 1, exitCode: 7, reason: "retry 2 of 3 after exit code 7",
                      delayReason: .retryBackoff, readyAt: 12.5),
        ], time: time, wallClockOrigin: origin)
        #expect(text == "\(TimeFormat.clock(time)) b     delayed (attempt 1, exit code 7): retry 2 of 3 after exit code 7; "
                + "next try in \(TimeFormat.duration(10))\n")
    }
}
