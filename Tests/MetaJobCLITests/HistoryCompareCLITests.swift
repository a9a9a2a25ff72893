import Foundation
import Testing

/// `metajob history show RUN --compare [OTHER]` on a real history file made by real runs of the binary.
@Suite("history show --compare through the binary")
struct HistoryCompareCLITests {
    /// `slow` sleeps as long as slow.txt says; `flip` fails once the file `broken` exists; `steady` never changes.
    static let pipeline = """
    name: cmp
    jobs:
      - job_name: steady
        depends_on: []
        command: echo steady
      - job_name: slow
        depends_on: []
        command: sleep "$(cat slow.txt)"
      - job_name: flip
        depends_on: []
        command: test ! -f broken
    """

    func runIds(_ dir: String, _ history: String) throws -> [String] {
        let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
        #expect(list.exitCode == 0, "\(list.stderr)")
        let runs = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
        return runs.map { $0["run_id"] as! String }
    }

    /// Two runs: the second has `slow` 5.3 s slower (beyond ±25 % and ±5 s) and `flip` failed. The test takes
    /// about 6 s because the noise floor is 5 s and the slowdown must be real.
    @Test func theSecondRunNamesTheSlowerAndTheFailedJob() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline, "slow.txt": "0.05"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/history.sqlite"
        let first = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(first.exitCode == 0, "\(first.stderr)")
        try "5.4".write(toFile: dir + "/slow.txt", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: dir + "/broken", contents: Data())
        let second = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(second.exitCode == 1, "\(second.stderr)")
        let ids = try runIds(dir, history)
        try #require(ids.count == 2)
        let (newer, older) = (ids[0], ids[1])

        // Plain text: the default is the previous run of the same meta job.
        let show = try BinaryRunner.run(["history", "show", newer, "--compare", "--history", history], in: dir)
        #expect(show.exitCode == 0, "\(show.stderr)")
        #expect(show.stdout.contains("compared with run \(older): 2 of 3 jobs changed"), "\(show.stdout)")
        let row = { (job: String) in show.stdoutLines.first { $0.hasPrefix(job + " ") } ?? "" }
        #expect(row("slow").contains("slower"), "\(show.stdout)")
        #expect(row("flip").contains("succeeded → user_error"), "\(show.stdout)")
        #expect(!row("steady").contains("→") && row("steady").contains("succeeded"), "an unchanged job says no change: \(show.stdout)")

        // JSON says the same.
        let json = try BinaryRunner.run(["history", "show", newer, "--compare", "--output", "json", "--history", history], in: dir)
        #expect(json.exitCode == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["run_id"] as? String == newer && object["compared_with"] as? String == older)
        #expect(object["changed"] as? Int == 2)
        let jobs = try #require(object["jobs"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: jobs.map { ($0["job"] as! String, $0) })
        #expect(byName["slow"]?["duration_change"] as? String == "slower")
        #expect((byName["slow"]?["duration_now_seconds"] as? Double ?? 0) >= 5.3)
        #expect(byName["flip"]?["status_changed"] as? Bool == true && byName["flip"]?["state_now"] as? String == "user_error")
        #expect(byName["steady"]?["changed"] as? Bool == false && byName["steady"]?["duration_change"] is NSNull)

        // OTHER names the run to compare with: the older run against the newer one is faster.
        let back = try BinaryRunner.run(["history", "show", older, "--compare", newer, "--json", "--history", history], in: dir)
        #expect(back.exitCode == 0, "\(back.stderr)")
        let backObject = try #require(try JSONSerialization.jsonObject(with: Data(back.stdout.utf8)) as? [String: Any])
        let backJobs = try #require(backObject["jobs"] as? [[String: Any]])
        #expect(backJobs.first { $0["job"] as? String == "slow" }?["duration_change"] as? String == "faster")

        // The first run has nothing before it: a clear error, exit 2.
        let none = try BinaryRunner.run(["history", "show", older, "--compare", "--history", history], in: dir)
        #expect(none.exitCode == 2 && none.stderr.contains("first run of cmp") && none.stderr.contains("--compare OTHER"), "\(none.stderr)")
        // A second id without --compare is a usage error.
        let usage = try BinaryRunner.run(["history", "show", newer, older, "--history", history], in: dir)
        #expect(usage.exitCode != 0 && usage.stderr.contains("only taken with --compare"), "\(usage.stderr)")
        let unknown = try BinaryRunner.run(["history", "show", newer, "--compare", "nope", "--history", history], in: dir)
        #expect(unknown.exitCode == 2 && unknown.stderr.contains("nope"), "\(unknown.stderr)")
    }
}
