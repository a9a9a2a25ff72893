import Foundation
import Testing

/// One resume of a run at a time, with real processes of the built binary.
@Suite("resume lock (CLI)")
struct ResumeLockTests {
    /// `pay` counts its runs in paid.txt; it fails until the file `ok` exists, then takes a while.
    let pipeline = """
    jobs:
      - job_name: setup
        depends_on: []
        command: echo setup >> paid.txt
      - job_name: pay
        depends_on: [setup]
        command: echo pay >> paid.txt; if [ -f ok ]; then sleep 3; exit 0; fi; exit 1
    """

    func runs(_ history: String, in dir: String) throws -> [[String: Any]] {
        let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
        return try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stderr)")
    }

    /// Starts `metajob args…` with its stdout and stderr going to files in `dir`.
    func launch(_ args: [String], in dir: String, name: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: dir + "/\(name).err", contents: nil)
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/\(name).err"))
        return try BinaryRunner.launch(args, in: dir, stderr: err)
    }

    /// A directory holding `definition`, its history, and one failed run of it (whose id is `first`).
    func failedRun(_ definition: String) throws -> (dir: String, history: String, first: String) {
        let dir = try BinaryRunner.directory(["p.yaml": definition])
        let history = dir + "/h.sqlite"
        #expect(try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir).exitCode == 1)
        let first = try #require(try runs(history, in: dir).first?["run_id"] as? String)
        return (dir, history, first)
    }

    @Test func concurrentResumesRunTheJobsOnceAndTheLoserNamesTheHolder() throws {
        let (dir, history, first) = try failedRun(pipeline)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/ok", contents: nil)

        let one = try launch(["resume", first, "--no-tui", "--history", history], in: dir, name: "one")
        let two = try launch(["resume", first, "--no-tui", "--history", history], in: dir, name: "two")
        defer {
            for p in [one, two] where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        }
        one.waitUntilExit()
        two.waitUntilExit()
        let codes = [one.terminationStatus, two.terminationStatus]
        let errs = try ["one", "two"].map { try String(contentsOfFile: dir + "/\($0).err", encoding: .utf8) }
        #expect(codes.sorted() == [0, 2], "\(errs)")
        // Exactly one resume ran pay (setup was reused by both).
        let paid = try String(contentsOfFile: dir + "/paid.txt", encoding: .utf8)
        #expect(paid == "setup\npay\npay\n", "\(errs)")
        let resumes = try runs(history, in: dir).filter { $0["resumed_from"] as? String == first }
        #expect(resumes.count == 1)
        let holder = try #require(resumes.first?["run_id"] as? String)
        let loser = codes[0] == 2 ? errs[0] : errs[1]
        #expect(loser.contains("is being resumed now by run \(holder)"), "\(loser)")

        // Resumed already: said, with the newer run and the flag.
        let again = try BinaryRunner.run(["resume", first, "--no-tui", "--history", history], in: dir)
        #expect(again.exitCode == 2)
        #expect(again.stderr.contains("already resumed by run \(holder)") && again.stderr.contains("--force"), "\(again.stderr)")
        // --force: pay succeeded in the newer run, so nothing is left; nothing runs twice.
        let forced = try BinaryRunner.run(["resume", first, "--force", "--no-tui", "--history", history], in: dir)
        #expect(forced.exitCode == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("nothing to resume"), "\(forced.stdout)")
        #expect(try String(contentsOfFile: dir + "/paid.txt", encoding: .utf8) == paid)
        let shown = try BinaryRunner.run(["history", "show", first, "--history", history], in: dir)
        #expect(shown.stdout.contains("resumed  by \(holder)"), "\(shown.stdout)")
    }

    /// Forcing a resume of an older run reuses what a newer run of the chain did, and runs only the rest.
    @Test func forcedResumeReusesSuccessesFromTheWholeChain() throws {
        let chain = """
        jobs:
          - job_name: a
            depends_on: []
            command: echo a >> ran.txt; test -f a-ok
          - job_name: b
            depends_on: []
            command: echo b >> ran.txt; test -f b-ok
        """
        let (dir, history, first) = try failedRun(chain)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/a-ok", contents: nil)
        // The newer run: a succeeds there, b fails again.
        #expect(try BinaryRunner.run(["resume", first, "--no-tui", "--history", history], in: dir).exitCode == 1)
        _ = FileManager.default.createFile(atPath: dir + "/b-ok", contents: nil)
        let forced = try BinaryRunner.run(["resume", first, "--force", "--no-tui", "--history", history], in: dir)
        #expect(forced.exitCode == 0, "\(forced.stderr)")
        // a ran in the first run and the newer one, never a third time.
        let ran = try String(contentsOfFile: dir + "/ran.txt", encoding: .utf8).split(separator: "\n")
        #expect(ran.filter { $0 == "a" }.count == 2 && ran.filter { $0 == "b" }.count == 3, "\(ran)")
    }

    /// A resumer killed with SIGKILL holds no lock: the next `resume` of the run is not told it is being resumed
    /// now, but that it was resumed (by the dead run, interrupted), and resuming that run finishes the work.
    @Test func killedResumerHoldsNoLock() throws {
        let (dir, history, first) = try failedRun(pipeline)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/ok", contents: nil)
        let resumer = try launch(["resume", first, "--no-tui", "--history", history], in: dir, name: "resumer")
        defer { if resumer.isRunning { kill(resumer.processIdentifier, SIGKILL); resumer.waitUntilExit() } }
        // Until its pay job runs (the second "pay" line).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOfFile: dir + "/paid.txt", encoding: .utf8)) ?? "").split(separator: "\n").count < 3 {
            usleep(50_000)
        }
        let dead = try #require(try runs(history, in: dir).first { $0["resumed_from"] as? String == first }?["run_id"] as? String)
        kill(resumer.processIdentifier, SIGKILL)
        resumer.waitUntilExit()
        let again = try BinaryRunner.run(["resume", first, "--no-tui", "--history", history], in: dir)
        #expect(again.exitCode == 2)
        #expect(again.stderr.contains("already resumed by run \(dead) (interrupted)") && !again.stderr.contains("being resumed now"),
                "\(again.stderr)")
        let finish = try BinaryRunner.run(["resume", dead, "--no-tui", "--history", history], in: dir)
        #expect(finish.exitCode == 0, "\(finish.stderr)")
    }
}
