import Foundation
import MetaJobHistory
import Testing

/// `kill -9` of metajob mid-run: its jobs die with it (the process-group watchdog), the history stays
/// intact and reads back `interrupted`, and `resume` finishes the run without rerunning what succeeded.
@Suite("metajob killed mid-run")
struct CrashWatchdogTests {
    static let pipeline = """
        jobs:
          - job_name: quick
            depends_on: []
            command: echo ran >> quick.count
          - job_name: long
            depends_on: [quick]
            command: |
              if [ -e crashed-once ]; then echo second-time; exit 0; fi
              touch crashed-once
              sh -c 'trap "" TERM; echo $$ > grandchild.pid; exec sleep 300' &
              echo $$ > long.pid
              echo started-long
              wait
          - job_name: after
            depends_on: [long]
            command: echo ran >> after.count
        """

    func lineCount(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test func jobsDieWithAKilledMetajobAndResumeFinishesTheRun() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let history = dir + "/history.sqlite"
        _ = FileManager.default.createFile(atPath: dir + "/run.err", contents: nil)
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/run.err"))
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--grace-period", "1", "--history", history],
                                              in: dir, stderr: stderr)
        var group: pid_t = 0
        var grandchild: pid_t = 0
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            ProcessProbe.killLeftover(group, workingIn: dir)
        }
        // Until the long job runs and its first line is in the history (at most one batch behind).
        var id = ""
        let recorded = try ProcessProbe.eventually {
            let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
            guard let runs = try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]],
                  let run = runs.first?["run_id"] as? String else { return false }
            id = run
            let logs = try BinaryRunner.run(["history", "logs", run, "long", "--history", history], in: dir)
            return logs.stdout.contains("started-long") && ProcessProbe.pid(in: dir + "/grandchild.pid") != nil
        }
        #expect(recorded, "metajob's stderr: \((try? String(contentsOfFile: dir + "/run.err", encoding: .utf8)) ?? "")")
        group = try #require(ProcessProbe.pid(in: dir + "/long.pid"))
        grandchild = try #require(ProcessProbe.pid(in: dir + "/grandchild.pid"))
        #expect(ProcessProbe.isAlive(grandchild))

        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        // Grace period 1 s, then SIGKILL from the watchdog; 20 s is only a generous margin for a busy machine.
        let gone = ProcessProbe.eventually(20) { ProcessProbe.liveMembers(ofGroup: group).isEmpty }
        #expect(gone, "processes of the killed metajob's job still run: \(ProcessProbe.liveMembers(ofGroup: group))")
        #expect(!ProcessProbe.isAlive(grandchild), "the grandchild that ignores SIGTERM survived metajob")

        #expect(try HistoryStore(path: history).integrityCheck())
        let show = try BinaryRunner.run(["history", "show", id, "--json", "--history", history], in: dir)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((object["run"] as? [String: Any])?["state"] as? String == "interrupted")
        let states = Dictionary(uniqueKeysWithValues: (object["jobs"] as? [[String: Any]] ?? []).compactMap { job in
            (job["job"] as? String).map { ($0, job["state"] as? String ?? "") }
        })
        #expect(states["quick"] == "succeeded")

        let resumed = try BinaryRunner.run(["resume", id, "--no-tui", "--grace-period", "1", "--history", history], in: dir)
        #expect(resumed.exitCode == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(lineCount(dir + "/quick.count") == 1, "quick succeeded before the crash and must not run again")
        #expect(lineCount(dir + "/after.count") == 1)
        #expect(try HistoryStore(path: history).integrityCheck())
    }
}
