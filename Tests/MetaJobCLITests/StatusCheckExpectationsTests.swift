import Foundation
import Testing
import MetaJobCore
import MetaJobHistory

/// What the remote executor's status checks are timed by: past successful durations per job, from a history
/// made by real runs of the binary.
@Suite("history: expected durations for status checks")
struct StatusCheckExpectationsTests {
    @Test func successesOfTheSameMetaJobOnlyNewestFirst() throws {
        let pipeline = """
        name: expect
        jobs:
          - job_name: quick
            depends_on: []
            command: sleep "$(cat quick.txt)"
          - job_name: broken
            depends_on: []
            fail_dag_on_error: false
            command: exit 3
        """
        let other = "name: elsewhere\njobs:\n  - job_name: quick\n    depends_on: []\n    command: sleep 0.6\n"
        let dir = try BinaryRunner.directory(["p.yaml": pipeline, "o.yaml": other, "quick.txt": "0.1"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = dir + "/history.sqlite"
        for seconds in ["0.1", "0.3", "0.2"] {
            try seconds.write(toFile: dir + "/quick.txt", atomically: true, encoding: .utf8)
            let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
            #expect(r.exitCode == 0, "\(r.stderr)")
        }
        let o = try BinaryRunner.run(["run", "o.yaml", "--no-tui", "--history", history], in: dir)
        #expect(o.exitCode == 0, "\(o.stderr)")

        let store = try HistoryStore(path: history)
        let found = try store.expectedDurations(metaJob: "expect", jobs: ["quick", "broken", "unknown"])
        #expect(Set(found.keys) == ["quick"], "a job that never succeeded, or is unknown, has no estimate")
        let quick = try #require(found["quick"])
        #expect(quick.sampleCount == 3)
        #expect(quick.median >= 0.2 && quick.median < 0.5, "the other meta job's 0.6 s run is not counted: \(quick)")
        #expect(quick.p90 >= 0.28 && quick.p90 < 0.6, "\(quick)")
        #expect(try store.expectedDurations(metaJob: "nobody", jobs: ["quick"]).isEmpty)
        #expect(try store.expectedDurations(metaJob: "elsewhere", jobs: ["quick"])["quick"].map { $0.median >= 0.6 } == true)
    }
}
