import MetaJobCore
import Foundation
import Testing

@Suite("history and resume through the binary")
struct HistoryCLITests {
    /// A pipeline whose `flaky` job fails until a marker file exists; `after` depends on it.
    static let pipeline = """
    name: hist
    jobs:
      - job_name: first
        depends_on: []
        command: echo first-ran >> runs.log
      - job_name: flaky
        depends_on: [first]
        command: |
          echo flaky-ran >> runs.log
          printf 'out \\377 line\\n'
          echo oops >&2
          test -f fixed
      - job_name: after
        depends_on: [flaky]
        command: echo after-ran >> runs.log
      - job_name: side
        depends_on: []
        command: echo side-ran >> runs.log
    """

    func setup() throws -> (dir: String, history: String) {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        return (dir, dir + "/history.sqlite")
    }

    func runIds(_ dir: String, _ history: String) throws -> [String] {
        let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
        #expect(list.exitCode == 0, "\(list.stderr)")
        let runs = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
        return runs.map { $0["run_id"] as! String }
    }

    /// A run and `history list` in another terminal may open a new history file at the same moment: each
    /// process must succeed (GRDB's migrator alone let two create the same tables).
    @Test func processesOpeningANewFileAtOnceAllSucceed() throws {
        let dir = try BinaryRunner.directory(["p.yaml": "jobs:\n  - job_name: a\n    depends_on: []\n    command: echo hi\n"])
        for round in 0..<6 {
            let history = dir + "/race-\(round).sqlite"
            let commands = [["run", "p.yaml", "--no-tui", "--history", history]]
                + Array(repeating: ["history", "list", "--json", "--history", history], count: 3)
            let started = try commands.enumerated().map { i, args in
                let err = dir + "/err-\(round)-\(i)"
                _ = FileManager.default.createFile(atPath: err, contents: nil)
                return (try BinaryRunner.launch(args, in: dir, stderr: try FileHandle(forWritingTo: URL(fileURLWithPath: err))), err)
            }
            for (process, err) in started {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
            }
        }
    }

    @Test func failedRunRoundTripsThroughListShowAndLogs() throws {
        let (dir, history) = try setup()
        let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(r.exitCode == 1)
        let ids = try runIds(dir, history)
        #expect(ids.count == 1)
        let id = ids[0]
        let list = try BinaryRunner.run(["history", "list", "--history", history], in: dir)
        #expect(list.stdout.contains(id) && list.stdout.contains("failed"))
        #expect(list.stdout.contains("2 succeeded") && list.stdout.contains("1 user_error") && list.stdout.contains("1 not_run"))

        let show = try BinaryRunner.run(["history", "show", String(id.prefix(17)), "--json", "--history", history], in: dir)
        #expect(show.exitCode == 0, "a unique prefix finds the run: \(show.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        let jobs = object["jobs"] as! [[String: Any]]
        let flaky = jobs.first { $0["job"] as? String == "flaky" }!
        #expect(flaky["state"] as? String == "user_error" && flaky["exit_code"] as? Int == 1 && flaky["attempts"] as? Int == 1)
        #expect(jobs.first { $0["job"] as? String == "after" }?["state"] as? String == "not_run")

        let logs = try BinaryRunner.run(["history", "logs", id, "flaky", "--history", history], in: dir)
        #expect(logs.exitCode == 0)
        // Piped, the bytes come back exactly as the job wrote them (0xFF included); stderr lines too.
        let raw = try BinaryRunner.runRaw(["history", "logs", id, "flaky", "--history", history], in: dir)
        #expect(raw == Array("out ".utf8) + [0xFF] + Array(" line\noops\n".utf8) || raw == Array("oops\nout ".utf8) + [0xFF] + Array(" line\n".utf8))

        let missing = try BinaryRunner.run(["history", "show", "nope", "--history", history], in: dir)
        #expect(missing.exitCode == 2 && missing.stderr.contains("nope"))
    }

    @Test func resumeRunsOnlyWhatFailedAndMarksReusedJobs() throws {
        let (dir, history) = try setup()
        _ = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        let first = try runIds(dir, history)[0]
        try "".write(toFile: dir + "/runs.log", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: dir + "/fixed", contents: Data())
        let resumed = try BinaryRunner.run(["resume", first, "--no-tui", "--history", history], in: dir)
        #expect(resumed.exitCode == 0, "\(resumed.stdout)\(resumed.stderr)")
        let ran = try String(contentsOfFile: dir + "/runs.log", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(ran.sorted() == ["after-ran", "flaky-ran"], "only the failed and not_run jobs run again")
        #expect(resumed.stdout.contains("reused from \(first)"))
        let ids = try runIds(dir, history)
        #expect(ids.count == 2)
        let show = try BinaryRunner.run(["history", "show", ids[0], "--json", "--history", history], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        #expect((object["run"] as! [String: Any])["resumed_from"] as? String == first)
        let jobs = object["jobs"] as! [[String: Any]]
        #expect(jobs.first { $0["job"] as? String == "first" }?["reused_from"] as? String == first)

        // --job reruns a job and everything downstream of it, successful ones included.
        try "".write(toFile: dir + "/runs.log", atomically: true, encoding: .utf8)
        let again = try BinaryRunner.run(["resume", ids[0], "--job", "first", "--no-tui", "--history", history], in: dir)
        #expect(again.exitCode == 0, "\(again.stderr)")
        let ran2 = try String(contentsOfFile: dir + "/runs.log", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(ran2.sorted() == ["after-ran", "first-ran", "flaky-ran"], "side is reused")

        let unknownJob = try BinaryRunner.run(["resume", ids[0], "--job", "nope", "--no-tui", "--history", history], in: dir)
        #expect(unknownJob.exitCode == 2 && unknownJob.stderr.contains("no job named nope"))
    }

    @Test func resumeWorksAfterTheFileChanged() throws {
        let (dir, history) = try setup()
        _ = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        let first = try runIds(dir, history)[0]
        try FileManager.default.removeItem(atPath: dir + "/p.yaml")
        _ = FileManager.default.createFile(atPath: dir + "/fixed", contents: Data())
        let resumed = try BinaryRunner.run(["resume", String(first.prefix(20)), "--no-tui", "--history", history], in: dir)
        #expect(resumed.exitCode == 0, "the snapshot in the history is used: \(resumed.stderr)")
    }

    @Test func pruneKeepsTheNewest() throws {
        let (dir, history) = try setup()
        _ = FileManager.default.createFile(atPath: dir + "/fixed", contents: Data())
        for _ in 0..<3 { _ = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir) }
        let before = try runIds(dir, history)
        #expect(before.count == 3)
        let prune = try BinaryRunner.run(["history", "prune", "--keep", "1", "--history", history], in: dir)
        #expect(prune.exitCode == 0 && prune.stdout.contains("deleted 2 runs"))
        #expect(try runIds(dir, history) == [before[0]])
        let both = try BinaryRunner.run(["history", "prune", "--keep", "1", "--older-than", "3", "--history", history], in: dir)
        #expect(both.exitCode == 2)
    }

    @Test func noHistoryRecordsNothing() throws {
        let (dir, history) = try setup()
        _ = FileManager.default.createFile(atPath: dir + "/fixed", contents: Data())
        _ = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--no-history", "--history", history], in: dir)
        #expect(try runIds(dir, history).isEmpty)
    }
}
