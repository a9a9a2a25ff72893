import Foundation
import Testing

/// What the history foresees, through the binary: `resume --dry-run` and `validate` with a history.
@Suite("foresight through the binary")
struct ForesightCLITests {
    /// `flaky` fails until a marker file exists; `after` depends on it; `first` takes longest before them.
    static let pipeline = """
    name: foresee
    jobs:
      - job_name: first
        depends_on: []
        command: sleep 0.3; echo first-ran >> runs.log
      - job_name: flaky
        depends_on: [first]
        command: echo flaky-ran >> runs.log; test -f fixed
      - job_name: after
        depends_on: [flaky]
        command: echo after-ran >> runs.log
      - job_name: side
        depends_on: []
        command: echo side-ran >> runs.log
    """

    /// A directory with the pipeline, one run that succeeded and one where `flaky` failed; the failed run's id.
    static func twoRuns() throws -> (dir: String, history: String, failed: String) {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let history = dir + "/history.sqlite"
        _ = FileManager.default.createFile(atPath: dir + "/fixed", contents: Data())
        let ok = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(ok.exitCode == 0, "\(ok.stderr)")
        try FileManager.default.removeItem(atPath: dir + "/fixed")
        let bad = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
        #expect(bad.exitCode == 1, "\(bad.stderr)")
        let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
        let runs = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
        #expect(runs.count == 2)
        return (dir, history, runs[0]["run_id"] as! String)
    }

    @Test func resumeDryRunPrintsThePreviewAndStartsNothing() throws {
        let (dir, history, failed) = try Self.twoRuns()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logBefore = try String(contentsOfFile: dir + "/runs.log", encoding: .utf8)

        let plain = try BinaryRunner.run(["resume", failed, "--dry-run", "--history", history], in: dir)
        #expect(plain.exitCode == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("run again (2): flaky, after"), "\(plain.stdout)")
        #expect(plain.stdout.contains("reuse (2): first, side"))
        #expect(plain.stdout.contains("expected time: "), "every job has a past success: a time, no ≥")
        #expect(!plain.stdout.contains("≥") && !plain.stdout.contains("no estimate"))
        #expect(plain.stdout.contains("critical path: flaky → after"))

        let json = try BinaryRunner.run(["resume", failed, "--dry-run", "--output", "json", "--history", history], in: dir)
        #expect(json.exitCode == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(object["dry_run"] as? Bool == true && object["resumes"] as? String == failed)
        #expect(object["rerun"] as? [String] == ["flaky", "after"])
        #expect(object["reused"] as? [String] == ["first", "side"])
        #expect(object["unchanged"] as? [String] == [])
        #expect(object["precision"] as? String == "expected")
        #expect(object["critical_path"] as? [String] == ["flaky", "after"])
        let seconds = try #require(object["expected_seconds"] as? Double)
        #expect(seconds > 0 && seconds < 10, "flaky and after are quick: \(seconds)")

        // Nothing ran and nothing was recorded.
        #expect(try String(contentsOfFile: dir + "/runs.log", encoding: .utf8) == logBefore)
        let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: dir)
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]).count == 2)
        // And the resume itself is still possible (no lock was left behind).
        _ = FileManager.default.createFile(atPath: dir + "/fixed", contents: Data())
        let resumed = try BinaryRunner.run(["resume", failed, "--no-tui", "--history", history], in: dir)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
    }

    @Test func validatePrintsExpectedDurationAndCriticalPathWhenTheHistoryKnowsTheJobs() throws {
        let (dir, history, _) = try Self.twoRuns()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = try BinaryRunner.run(["validate", "p.yaml", "--history", history], in: dir)
        #expect(plain.exitCode == 0, "\(plain.stderr)")
        let lines = plain.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "valid: 4 jobs, 2 edges, depth 3", "\(plain.stdout)")
        // Every job succeeded in the first run: all are known, the duration is no lower bound.
        #expect(lines.contains { $0.hasPrefix("expected duration: ") && !$0.contains("≥") }, "\(plain.stdout)")
        #expect(lines.contains("critical path: first → flaky → after"), "\(plain.stdout)")

        let json = try BinaryRunner.run(["validate", "p.yaml", "--output", "json", "--history", history], in: dir)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == true && object["precision"] as? String == "expected")
        #expect(object["critical_path"] as? [String] == ["first", "flaky", "after"])
        #expect((object["expected_seconds"] as? Double ?? 0) >= 0.3, "first alone sleeps 0.3 s")
    }

    @Test func validateWithoutHistorySaysNothingMoreAndCreatesNoFile() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = dir + "/none.sqlite"
        let r = try BinaryRunner.run(["validate", "p.yaml", "--history", missing], in: dir)
        #expect(r.exitCode == 0 && r.stdout == "valid: 4 jobs, 2 edges, depth 3\n", "\(r.stdout)\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing), "validate never creates a history")
    }
}
