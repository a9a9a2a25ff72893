import Foundation
import Testing

/// The signals a terminal, a pipe or a user sends besides SIGINT/SIGTERM: SIGHUP and SIGQUIT stop the run as
/// SIGTERM does (recorded, summary, no job left, exit 129 / 131, no crash report), a closed stdout never kills
/// a run, and a stopped job asked to stop gets SIGCONT so its SIGTERM handler runs.
@Suite("signals that end or outlive a run")
struct SignalExitTests {
    /// A job that runs until stopped, writing its pid, and one that would start after it.
    static let long = """
        jobs:
          - job_name: long
            depends_on: []
            command: |
              echo $$ > long.pid
              sleep 300 &
              wait
          - job_name: after
            depends_on: [long]
            command: touch after-started
        """

    /// Starts `long` headless, sends `sig` once it runs, and checks the stop: exit `code`, every state
    /// recorded, the summary printed, no job process left, nothing on stderr that looks like a crash.
    func expectStop(by sig: Int32, exitCode code: Int32) throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.long])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/history.sqlite"
        _ = FileManager.default.createFile(atPath: dir + "/out.txt", contents: nil)
        _ = FileManager.default.createFile(atPath: dir + "/err.txt", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out.txt"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/err.txt"))
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--grace-period", "1", "--history", history],
                                              in: dir, stdout: out, stderr: err)
        var group: pid_t = 0
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            ProcessProbe.killLeftover(group, workingIn: dir)
        }
        #expect(ProcessProbe.eventually { ProcessProbe.pid(in: dir + "/long.pid") != nil }, "the job did not start")
        group = ProcessProbe.pid(in: dir + "/long.pid") ?? 0

        kill(process.processIdentifier, sig)
        guard ProcessProbe.waitForExit(process, seconds: 30) else {
            Issue.record("metajob did not exit after signal \(sig)")
            return
        }
        #expect(process.terminationReason == .exit, "metajob died of signal \(process.terminationStatus)")
        #expect(process.terminationStatus == code)
        let stdout = (try? String(contentsOfFile: dir + "/out.txt", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: dir + "/err.txt", encoding: .utf8)) ?? ""
        #expect(stdout.split(separator: "\n").contains { $0.hasPrefix("long ") && $0.contains("cancelled") }, "no summary:\n\(stdout)")
        for crash in ["Crash", "Backtrace", "backtrace", "Fatal error", "💣"] {
            #expect(!stderr.contains(crash), "stderr looks like a crash report:\n\(stderr)")
        }
        #expect(ProcessProbe.liveMembers(ofGroup: group).isEmpty, "the job's processes survived")
        #expect(!FileManager.default.fileExists(atPath: dir + "/after-started"))
        let recorded = try SignalStopTests().recordedStates(history, in: dir)
        #expect(recorded.run != "running" && recorded.run != "interrupted", "the run is recorded as \(recorded.run)")
        #expect(recorded.jobs == ["long": "cancelled", "after": "not_run"])
    }

    @Test func sighupStopsTheRunLikeSigtermAndExits129() throws {
        try expectStop(by: SIGHUP, exitCode: 129)
    }

    @Test func sigquitStopsTheRunWithoutACrashReportAndExits131() throws {
        try expectStop(by: SIGQUIT, exitCode: 131)
    }

    /// `metajob run … | head -1`: the reader goes away after one line; the run goes on to its end, is recorded,
    /// and exits with its outcome (0), not of SIGPIPE (141).
    @Test func aClosedStdoutNeverKillsTheRun() throws {
        let dir = try BinaryRunner.directory(["p.yaml": """
            jobs:
              - {job_name: first, depends_on: [], command: "echo one"}
              - {job_name: second, depends_on: [first], command: "sh -c 'sleep 0.5; seq 1 2000'"}
              - {job_name: third, depends_on: [second], command: "touch third-ran"}
            """])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/history.sqlite"
        let pipe = Pipe()
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--logs", "--history", history], in: dir, stdout: pipe)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Read one line, as `head -1` does, then close the only read end.
        let reader = pipe.fileHandleForReading
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.readData(ofLength: 1)
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        try pipe.fileHandleForWriting.close()
        try reader.close()
        #expect(!line.isEmpty)

        guard ProcessProbe.waitForExit(process, seconds: 60) else {
            Issue.record("metajob did not exit")
            return
        }
        #expect(process.terminationReason == .exit, "metajob died of signal \(process.terminationStatus)")
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/third-ran"), "the run did not go on after stdout closed")
        let recorded = try SignalStopTests().recordedStates(history, in: dir)
        #expect(recorded.run == "succeeded")
        #expect(recorded.jobs == ["first": "succeeded", "second": "succeeded", "third": "succeeded"])
    }

    /// A job stopped (SIGSTOP) when the run is stopped: SIGTERM alone would stay pending until the SIGKILL at
    /// the end of the grace period; with SIGCONT after it, its handler runs.
    @Test func aStoppedJobGetsSigcontAfterSigtermSoItsHandlerRuns() throws {
        let dir = try BinaryRunner.directory(["p.yaml": """
            jobs:
              - job_name: stopped
                depends_on: []
                command: |
                  trap 'echo handled > term-handled; exit 0' TERM
                  echo $$ > stopped.pid
                  kill -STOP $$
                  while :; do sleep 0.1; done
            """])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--grace-period", "30",
                                               "--history", dir + "/history.sqlite"], in: dir)
        var group: pid_t = 0
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            ProcessProbe.killLeftover(group, workingIn: dir)
        }
        #expect(ProcessProbe.eventually { ProcessProbe.pid(in: dir + "/stopped.pid") != nil })
        group = ProcessProbe.pid(in: dir + "/stopped.pid") ?? 0
        let stopped = ProcessProbe.eventually(30) { ProcessProbe.stat(group)?.first == "T" }
        try #require(stopped, "the job did not stop itself")

        kill(process.processIdentifier, SIGTERM)
        #expect(ProcessProbe.waitForExit(process, seconds: 60))
        #expect(FileManager.default.fileExists(atPath: dir + "/term-handled"), "the stopped job's SIGTERM handler never ran")
    }
}
