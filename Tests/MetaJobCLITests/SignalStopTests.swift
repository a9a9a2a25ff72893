import Foundation
import MetaJobHistory
import Testing

/// SIGINT and SIGTERM during a headless run of the real binary: a clean stop that leaves no process of any
/// job behind and records every final state.
@Suite("stopping a run with a signal")
struct SignalStopTests {
    /// Two running jobs that make stopping hard — one leaves a grandchild that ignores SIGTERM, one ignores
    /// SIGTERM altogether — and two that must never start (a queued one and a dependent).
    static let stubborn = """
        max_concurrent_running_jobs: 2
        jobs:
          - job_name: leaves-a-stubborn-child
            depends_on: []
            command: |
              sh -c 'trap "" TERM; echo $$ > grandchild.pid; exec sleep 300' &
              echo $$ > leader1.pid
              wait
          - job_name: ignores-term
            depends_on: []
            command: |
              trap '' TERM
              echo $$ > leader2.pid
              sleep 300 &
              wait
          - job_name: queued
            depends_on: []
            command: touch queued-started
          - job_name: downstream
            depends_on: [ignores-term]
            command: touch downstream-started
        """

    /// Starts the stubborn run, waits until both running jobs have written their pids, and returns them.
    func startStubborn(grace: String) throws -> (process: Process, dir: String, history: String, groups: [pid_t], grandchild: pid_t) {
        let dir = try BinaryRunner.directory(["p.yaml": Self.stubborn])
        let history = dir + "/history.sqlite"
        _ = FileManager.default.createFile(atPath: dir + "/out.txt", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out.txt"))
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--grace-period", grace, "--history", history],
                                              in: dir, stdout: out)
        let ready = ProcessProbe.eventually {
            ["leader1.pid", "leader2.pid", "grandchild.pid"].allSatisfy { ProcessProbe.pid(in: dir + "/" + $0) != nil }
        }
        #expect(ready, "the jobs did not start")
        let groups = ["leader1.pid", "leader2.pid"].compactMap { ProcessProbe.pid(in: dir + "/" + $0) }
        let grandchild = ProcessProbe.pid(in: dir + "/grandchild.pid") ?? 0
        return (process, dir, history, groups, grandchild)
    }

    /// Kills whatever a failed test left behind.
    func cleanUp(_ groups: [pid_t], _ process: Process, in dir: String) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for group in groups { ProcessProbe.killLeftover(group, workingIn: dir) }
    }

    /// Final states of run `id` by job, read through `history show --json`.
    func recordedStates(_ history: String, in dir: String) throws -> (run: String, jobs: [String: String]) {
        let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let id = try #require(runs.first?["run_id"] as? String)
        let show = try BinaryRunner.run(["history", "show", id, "--json", "--history", history], in: dir)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let run = (object["run"] as? [String: Any])?["state"] as? String ?? ""
        var jobs: [String: String] = [:]
        for job in object["jobs"] as? [[String: Any]] ?? [] {
            if let name = job["job"] as? String { jobs[name] = job["state"] as? String }
        }
        return (run, jobs)
    }

    @Test func sigtermStopsEveryJobTreeRecordsEveryStateAndExits143() throws {
        let run = try startStubborn(grace: "1")
        defer { cleanUp(run.groups, run.process, in: run.dir) }
        #expect(run.groups.count == 2)
        kill(run.process.processIdentifier, SIGTERM)
        // Grace 1 s: the SIGKILL comes long before this bound.
        #expect(ProcessProbe.waitForExit(run.process, seconds: 30))
        #expect(run.process.terminationStatus == 143)

        for group in run.groups {
            #expect(ProcessProbe.liveMembers(ofGroup: group).isEmpty, "group \(group) still has processes")
        }
        #expect(!ProcessProbe.isAlive(run.grandchild), "the grandchild that ignores SIGTERM survived")
        #expect(!FileManager.default.fileExists(atPath: run.dir + "/queued-started"), "a queued job started after the signal")
        #expect(!FileManager.default.fileExists(atPath: run.dir + "/downstream-started"))

        let out = try String(contentsOfFile: run.dir + "/out.txt", encoding: .utf8)
        let lines = out.split(separator: "\n")
        for (job, state) in [("leaves-a-stubborn-child", "cancelled"), ("ignores-term", "cancelled"),
                             ("queued", "not_run"), ("downstream", "not_run")] {
            #expect(lines.contains { $0.hasPrefix(job + " ") && $0.contains(state) }, "summary row of \(job): \(out)")
        }

        let recorded = try recordedStates(run.history, in: run.dir)
        #expect(recorded.run != "running" && recorded.run != "interrupted", "run state \(recorded.run)")
        #expect(recorded.jobs == ["leaves-a-stubborn-child": "cancelled", "ignores-term": "cancelled",
                                  "queued": "not_run", "downstream": "not_run"])
        #expect(try HistoryStore(path: run.history).integrityCheck())
    }

    @Test func secondSigintSkipsTheGracePeriodAndExits130() throws {
        // A grace period far longer than the test: only the second SIGINT can end the run this soon.
        let run = try startStubborn(grace: "600")
        defer { cleanUp(run.groups, run.process, in: run.dir) }
        kill(run.process.processIdentifier, SIGINT)
        // The first SIGINT sent SIGTERM, which the second job ignores: metajob is in its grace period.
        #expect(!ProcessProbe.waitForExit(run.process, seconds: 1.5), "metajob exited before the grace period")
        #expect(ProcessProbe.isAlive(run.groups[1]))
        #expect(!ProcessProbe.isAlive(run.groups[0]), "the first job's leader does not ignore SIGTERM")
        kill(run.process.processIdentifier, SIGINT)
        #expect(ProcessProbe.waitForExit(run.process, seconds: 60))
        #expect(run.process.terminationStatus == 130)
        for group in run.groups {
            #expect(ProcessProbe.liveMembers(ofGroup: group).isEmpty, "group \(group) still has processes")
        }
        #expect(!ProcessProbe.isAlive(run.grandchild))
        let recorded = try recordedStates(run.history, in: run.dir)
        #expect(recorded.jobs["ignores-term"] == "cancelled")
        #expect(recorded.jobs["queued"] == "not_run")
    }
}
