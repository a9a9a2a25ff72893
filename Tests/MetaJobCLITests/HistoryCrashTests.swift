import MetaJobCore
import Foundation
import MetaJobHistory
import Testing

@Suite("history after a crash, and following a live run")
struct HistoryCrashTests {
    /// The id of the newest run in `history`, if any.
    func newestRun(_ history: String, in dir: String) throws -> String? {
        let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
        guard list.exitCode == 0, let runs = try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] else { return nil }
        return runs.first?["run_id"] as? String
    }

    /// Waits up to `seconds` for `condition`, polling; false on timeout.
    func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return false
    }

    @Test func killedRunReadsBackAsInterruptedAndTheFileIsIntact() throws {
        let pipeline = """
        jobs:
          - job_name: quick
            depends_on: []
            command: echo quick-done
          - job_name: long
            depends_on: [quick]
            command: echo $$ > long.pid; echo started-long; sleep 60
        """
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        let history = dir + "/history.sqlite"
        _ = FileManager.default.createFile(atPath: dir + "/run.err", contents: nil)
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/run.err"))
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--history", history], in: dir, stderr: stderr)
        defer {
            // metajob died with SIGKILL and could not stop its job: end it here.
            if let pid = ProcessProbe.pid(in: dir + "/long.pid") { ProcessProbe.killLeftover(pid, workingIn: dir) }
        }
        // Until the long job runs and its first line is in the file (at most one batch behind).
        var id = ""
        let recorded = try eventually {
            guard let run = try newestRun(history, in: dir) else { return false }
            id = run
            let logs = try BinaryRunner.run(["history", "logs", run, "long", "--history", history], in: dir)
            return logs.stdout.contains("started-long")
        }
        #expect(recorded, "metajob's stderr: \((try? String(contentsOfFile: dir + "/run.err", encoding: .utf8)) ?? "")")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let show = try BinaryRunner.run(["history", "show", id, "--json", "--history", history], in: dir)
        #expect(show.exitCode == 0, "\(show.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((object["run"] as! [String: Any])["state"] as? String == "interrupted")
        let jobs = object["jobs"] as! [[String: Any]]
        #expect(jobs.first { $0["job"] as? String == "quick" }?["state"] as? String == "succeeded")
        // PRAGMA integrity_check on the file the killed process was writing.
        #expect(try HistoryStore(path: history).integrityCheck())
    }

    @Test func followTailsARunInAnotherProcess() throws {
        let pipeline = """
        jobs:
          - job_name: ticker
            depends_on: []
            command: for i in 1 2 3 4 5 6; do echo tick-$i; sleep 0.3; done
        """
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        let history = dir + "/history.sqlite"
        let run = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        var id = ""
        let started = try eventually {
            guard let run = try newestRun(history, in: dir) else { return false }
            id = run
            let logs = try BinaryRunner.run(["history", "logs", run, "ticker", "--history", history], in: dir)
            return logs.stdout.contains("tick-1")
        }
        #expect(started)
        let follow = try BinaryRunner.run(["history", "logs", id, "ticker", "--follow", "--history", history], in: dir)
        run.waitUntilExit()
        #expect(follow.exitCode == 0)
        #expect(follow.stdoutLines == (1...6).map { "tick-\($0)" }, "every line once, in order, through to the end")
    }
}
