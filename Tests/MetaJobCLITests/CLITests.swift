import Foundation
import Testing
@testable import MetaJobCLI

@Suite("metajob binary, end to end")
struct CLITests {
    static let pipeline = """
    name: nightly
    max_concurrent_running_jobs: 2
    jobs:
      - job_name: a
        depends_on: []
        command: echo from-a
      - job_name: b
        depends_on: [a]
        command: ["sh", "-c", "echo from-b"]
      - job_name: c
        depends_on: [a, b]
        command: echo from-c
    """

    @Test func binaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: BinaryRunner.binary.path),
                "swift build must have produced \(BinaryRunner.binary.path)")
    }

    @Test func validateValidFile() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        // No history: the shared test history may know these jobs, and validate would add their expected duration.
        let r = try BinaryRunner.run(["validate", "p.yaml", "--history", dir + "/none.sqlite"], in: dir)
        #expect(r.exitCode == 0)
        #expect(r.stdout == "valid: 3 jobs, 3 edges, depth 3\n")
        let j = try BinaryRunner.run(["validate", "p.yaml", "--output", "json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        #expect(object["valid"] as? Bool == true && object["jobs"] as? Int == 3 && object["depth"] as? Int == 3)
    }

    @Test func validateReportsEveryErrorAndExits2() throws {
        let bad = """
        jobs:
          - job_name: x
            depends_on: [y]
          - job_name: y
            depends_on: [x]
          - job_name: z
            depends_on: []
            retries: -1
        """
        let dir = try BinaryRunner.directory(["bad.yaml": bad])
        let r = try BinaryRunner.run(["validate", "bad.yaml"], in: dir)
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("conflict error"))
        #expect(r.stderr.contains("x → y → x") || r.stderr.contains("y → x → y"))
        #expect(r.stderr.contains("bad.yaml:6"), "the retries error points at job z's line")
        let j = try BinaryRunner.run(["validate", "bad.yaml", "--output", "json"], in: dir)
        #expect(j.exitCode == 2)
        let object = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let errors = object["errors"] as! [[String: Any]]
        #expect(errors.count >= 2)
        #expect(Set(errors.map { $0["type"] as! String }).isSuperset(of: ["conflict", "type"]))
    }

    @Test func missingFileIsAClearError() throws {
        let r = try BinaryRunner.run(["run", "/nonexistent/p.yaml", "--no-tui"])
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("cannot read the definition file /nonexistent/p.yaml: no such file"))
    }

    @Test func runSucceedsPrintsStatesAndSummary() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--logs"], in: dir)
        #expect(r.exitCode == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("a | from-a"))
        #expect(r.stdout.contains("nightly succeeded in"))
        #expect(r.stdoutLines.contains { $0.hasPrefix("JOB ") && $0.contains("STATUS") && $0.contains("ATTEMPTS") && $0.contains("DURATION") && $0.contains("EXIT") })
        #expect(r.stdoutLines.contains { $0.hasPrefix("c ") && $0.contains("succeeded") })
    }

    @Test func runFailureExits1AndInvalidExits2WithoutStartingAnything() throws {
        let failing = "jobs:\n  - job_name: f\n    depends_on: []\n    command: exit 4\n"
        let invalid = "jobs:\n  - job_name: touch\n    depends_on: []\n    command: touch started\n  - job_name: loop\n    depends_on: [loop]\n    command: 'true'\n"
        let dir = try BinaryRunner.directory(["f.yaml": failing, "i.yaml": invalid])
        let f = try BinaryRunner.run(["run", "f.yaml", "--no-tui"], in: dir)
        #expect(f.exitCode == 1)
        #expect(f.stdout.contains("user_error"))
        let i = try BinaryRunner.run(["run", "i.yaml", "--no-tui"], in: dir)
        #expect(i.exitCode == 2)
        #expect(i.stderr.contains("loop → loop"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/started"), "an invalid definition starts nothing")
    }

    @Test func jsonOutputIsNDJSONWithTheDocumentedEvents() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--output", "json", "--logs"], in: dir)
        #expect(r.exitCode == 0)
        let objects = try r.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.first?["event"] as? String == "run_started")
        #expect(objects.first?["jobs"] as? Int == 3 && objects.first?["meta_job"] as? String == "nightly")
        #expect(objects.last?["event"] as? String == "run_finished")
        #expect(objects.last?["state"] as? String == "succeeded")
        #expect((objects.last?["jobs"] as? [String: String]) == ["a": "succeeded", "b": "succeeded", "c": "succeeded"])
        let timePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
        for o in objects {
            #expect(o["event"] is String)
            #expect((o["time"] as? String).map { $0.wholeMatch(of: timePattern) != nil } == true)
        }
        let logs = objects.filter { $0["event"] as? String == "log" }
        #expect(logs.contains { $0["job"] as? String == "b" && $0["line"] as? String == "from-b" && $0["stream"] as? String == "stdout" && $0["attempt"] as? Int == 1 })
        let jobEvents = objects.filter { $0["event"] as? String == "job" }
        #expect(jobEvents.allSatisfy { $0["job"] is String && $0["state"] is String && $0["attempt"] is Int })
        // Concurrency never exceeded 2: count running jobs event by event.
        var active = Set<String>(), peak = 0
        for e in jobEvents {
            let job = e["job"] as! String, state = e["state"] as! String
            if state == "submitted" { active.insert(job) } else if !["running"].contains(state) { active.remove(job) }
            peak = max(peak, active.count)
        }
        #expect(peak <= 2)
    }

    @Test func badEnvironmentValueExits2() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui"], in: dir, environment: ["DAGS_MAX_CONCURRENT_RUNNING_JOBS": "lots"])
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("DAGS_MAX_CONCURRENT_RUNNING_JOBS=lots is not valid"))
    }

    @Test func usageErrorExits2() throws {
        let r = try BinaryRunner.run(["run", "--no-such-flag"])
        #expect(r.exitCode == 2)
        let e = try BinaryRunner.run(["run", "x.yaml", "--on-failure", "explode"])
        #expect(e.exitCode == 2)
    }

    @Test func sigintStopsTheRunPrintsTheSummaryAndExits130() throws {
        let slow = "jobs:\n  - job_name: sleeper\n    depends_on: []\n    command: sleep 60\n  - job_name: later\n    depends_on: [sleeper]\n    command: 'true'\n"
        let dir = try BinaryRunner.directory(["s.yaml": slow])
        let r = try BinaryRunner.run(["run", "s.yaml", "--no-tui", "--grace-period", "1"], in: dir) { process in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { kill(process.processIdentifier, SIGINT) }
        }
        #expect(r.exitCode == 130)
        #expect(r.stdout.contains("sleeper") && r.stdout.contains("cancelled"))
        #expect(r.stdoutLines.contains { $0.hasPrefix("later ") && $0.contains("not_run") })
    }

    @Test func graphFormats() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let dot = try BinaryRunner.run(["graph", "p.yaml", "--format", "dot"], in: dir)
        #expect(dot.exitCode == 0)
        #expect(dot.stdout.hasPrefix("digraph \"nightly\" {"))
        #expect(dot.stdout.contains("n0 -> n1;") && dot.stdout.contains("n1 -> n2;"))
        let mermaid = try BinaryRunner.run(["graph", "p.yaml", "--format", "mermaid"], in: dir)
        #expect(mermaid.stdout.hasPrefix("flowchart LR\n"))
        #expect(mermaid.stdout.contains("n0[\"a\"]") && mermaid.stdout.contains("n0 --> n2"))
    }

    @Test func demoRunsToCompletionWithTheFlakyJobRetried() throws {
        let r = try BinaryRunner.run(["demo", "--no-tui"])
        #expect(r.exitCode == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("demo-nightly-sales succeeded in"))
        let flaky = r.stdoutLines.first { $0.hasPrefix("load-currency-rates ") && $0.contains("succeeded  2") }
        #expect(flaky != nil, "the flaky job succeeds on its second attempt")
    }
}
