import Foundation
import MetaJobTestSupport
import Testing

/// What `metajob history show RUN --json` says, as objects.
private func shown(_ run: String, history: String, in dir: String) throws -> (run: [String: Any], jobs: [String: [String: Any]]) {
    let show = try BinaryRunner.run(["history", "show", run, "--json", "--history", history], in: dir)
    #expect(show.exitCode == 0, "\(show.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    var jobs: [String: [String: Any]] = [:]
    for job in object["jobs"] as? [[String: Any]] ?? [] { jobs[job["job"] as? String ?? ""] = job }
    return (object["run"] as? [String: Any] ?? [:], jobs)
}

/// The newest run recorded in `history`.
private func newestRun(_ history: String, in dir: String) throws -> String {
    let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
    let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stderr)")
    return try #require(runs.first?["run_id"] as? String)
}

/// A run whose history disk fills up and frees again while it runs (a real tmpfs, real processes).
@Suite("history on a full disk (CLI)", .enabled(if: TmpfsMount.missingReason == nil, "\(TmpfsMount.missingReason ?? "")"))
struct HistoryDiskFullTests {
    @Test func everyStateAndTheOutcomeAreRecordedAndResumeRerunsOnlyTheFailure() throws {
        let disk = try TmpfsMount(kibibytes: 2048)
        defer { disk.remove() }
        let filler = disk.path + "/filler"
        // fill fills the disk and writes output into it; good runs while it is full; free frees it; bad fails last.
        let pipeline = """
        jobs:
          - job_name: fill
            depends_on: []
            command: echo fill >> ran.txt; head -c 64M /dev/zero > \(filler); for i in $(seq 1 40); do echo fill-line-$i; sleep 0.02; done
          - job_name: good
            depends_on: [fill]
            command: echo good >> ran.txt; echo good-line; sleep 1
          - job_name: free
            depends_on: [good]
            command: echo free >> ran.txt; sleep 0.5; rm -f \(filler)
          - job_name: after
            depends_on: [free]
            command: echo after >> ran.txt; echo after-line
          - job_name: bad
            depends_on: [after]
            command: echo bad >> ran.txt; echo bad-line; exit 3
        """
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = disk.path + "/history.sqlite"
        let run = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(run.exitCode == 1, "\(run.stderr)")
        // The disk was full: the warning says what was lost, and that the states were kept.
        #expect(run.stderr.contains("output of job fill"), "\(run.stderr)")
        #expect(run.stderr.contains("every state, exit code and the outcome were recorded"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: filler))

        let id = try newestRun(history, in: dir)
        let (summary, jobs) = try shown(id, history: history, in: dir)
        #expect(summary["state"] as? String == "failed")
        #expect(jobs.mapValues { $0["state"] as? String } == ["fill": "succeeded", "good": "succeeded", "free": "succeeded",
                                                                 "after": "succeeded", "bad": "user_error"])
        #expect(jobs["bad"]?["exit_code"] as? Int == 3)
        // Output written after space returned is there.
        let logs = try BinaryRunner.run(["history", "logs", id, "bad", "--history", history], in: dir)
        #expect(logs.stdout == "bad-line\n", "\(logs.stderr)")

        let resume = try BinaryRunner.run(["resume", id, "--no-tui", "--history", history], in: dir)
        #expect(resume.exitCode == 1, "\(resume.stderr)")
        let ran = try String(contentsOfFile: dir + "/ran.txt", encoding: .utf8)
        #expect(ran == "fill\ngood\nfree\nafter\nbad\nbad\n")
    }
}

/// A history that cannot be used is refused before any job starts (exit 2), and never replaced.
@Suite("history refused before anything starts (CLI)")
struct HistoryRefusedCLITests {
    let pipeline = """
    jobs:
      - job_name: marker
        depends_on: []
        command: touch started
    """

    /// Runs the pipeline into `history`; expects exit 2, `message` on stderr and no job started.
    func expectRefused(history: String, dir: String, message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(run.exitCode == 2, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(message), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: dir + "/started"), sourceLocation: sourceLocation)
    }

    @Test(arguments: ["dangling", "file", "devnull"])
    func unusableLogsDirectory(_ kind: String) throws {
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/h.sqlite"
        let logs = history + "-logs"
        switch kind {
        case "dangling": try FileManager.default.createSymbolicLink(atPath: logs, withDestinationPath: dir + "/gone")
        case "file": _ = FileManager.default.createFile(atPath: logs, contents: Data("x".utf8))
        default: try FileManager.default.createSymbolicLink(atPath: logs, withDestinationPath: "/dev/null")
        }
        try expectRefused(history: history, dir: dir, message: "logs directory \(logs) cannot be used")
        // Nothing recorded either.
        let list = try BinaryRunner.run(["history", "list", "--history", history], in: dir)
        #expect(list.stdout.hasPrefix("No runs recorded"), "\(list.stdout)")
    }

    @Test(.enabled(if: TmpfsMount.missingReason == nil, "\(TmpfsMount.missingReason ?? "")"))
    func readOnlyLogsDirectory() throws {
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/h.sqlite"
        try FileManager.default.createDirectory(atPath: history + "-logs", withIntermediateDirectories: true)
        let readOnly = try TmpfsMount(kibibytes: 64, readOnly: true)
        defer { readOnly.remove() }
        try FileManager.default.removeItem(atPath: history + "-logs")
        try FileManager.default.createSymbolicLink(atPath: history + "-logs", withDestinationPath: readOnly.path)
        try expectRefused(history: history, dir: dir, message: "Read-only file system")
    }

    @Test func oneByteHistoryFile() throws {
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/h.sqlite"
        try Data([0x0A]).write(to: URL(fileURLWithPath: history))
        try expectRefused(history: history, dir: dir, message: "not an SQLite database (1 byte")
        #expect(try Data(contentsOf: URL(fileURLWithPath: history)) == Data([0x0A]))
    }

    /// `history logs` on a log file whose segment header was damaged: a clear error naming the file, not a crash.
    @Test func damagedLogSegmentHeader() throws {
        let dir = try BinaryRunner.directory(["p.yaml": """
            jobs:
              - job_name: talk
                depends_on: []
                command: printf 'one\\ntwo\\n'
            """])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/h.sqlite"
        #expect(try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir).exitCode == 0)
        let id = try newestRun(history, in: dir)
        let file = history + "-logs/" + id + ".log"
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        handle.write(Data(repeating: 0xFF, count: 7) + Data([0x7F]))  // the first sequence: near Int64.max
        try handle.close()
        let logs = try BinaryRunner.run(["history", "logs", id, "talk", "--history", history], in: dir)
        #expect(logs.exitCode == 2, "\(logs.stderr)")
        #expect(logs.stderr.contains(file) && logs.stderr.contains("damaged"), "\(logs.stderr)")
    }
}
