import Foundation
import MetaJobTestSupport
import Testing

/// What a VDK user brings runs as it is: a DAG job directory or its `.py` step (literal or code), VDK's job
/// lookup (current directory, then DAGS_LOCAL_RUN_JOB_PATH, then beside the definition), a definition from a pipe.
/// `vdk` is a stand-in script here that records how it was called; `VDKIntegrationTests` runs the real one.
@Suite struct VDKDagCLITests {
    /// `Tests/Fixtures/vdk-dag-example`: VDK's documented DAG example (the DAG job unchanged).
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vdk-dag-example").path

    /// A temporary copy of the example plus a `bin/vdk` stand-in that appends "<cwd> <argv>" to `calls.log`.
    static func workspace() throws -> String {
        let dir = try BinaryRunner.directory([:])
        for name in try FileManager.default.contentsOfDirectory(atPath: example) {
            try FileManager.default.copyItem(atPath: example + "/" + name, toPath: dir + "/" + name)
        }
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        let script = "#!/bin/sh\necho \"$(pwd) $*\" >> '\(dir)/calls.log'\nexit 0\n"
        try ExecutableFile.write(script, to: dir + "/bin/vdk")
        return dir
    }

    static func environment(_ dir: String, _ extra: [String: String] = [:]) -> [String: String] {
        var env = ["PATH": dir + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        for (k, v) in extra { env[k] = v }
        return env
    }

    static func calls(_ dir: String) -> [String] {
        ((try? String(contentsOfFile: dir + "/calls.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func theDocumentedDagJobDirectoryRunsUnchanged() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try BinaryRunner.run(["run", "dag-job", "--no-tui", "--no-history"], in: dir, environment: Self.environment(dir))
        #expect(r.exitCode == 0, "\(r.stderr)\(r.stdout)")
        #expect(r.stdout.contains("dag-job succeeded"), "\(r.stdout)")
        let calls = Self.calls(dir)
        #expect(Set(calls) == Set(["ingest-job1", "ingest-job2", "read-data-job"].map { "\(dir) run \(dir)/\($0)" }), "\(calls)")
        // The step file itself, from another directory: the jobs are found beside the DAG job.
        for input in ["dag-job/dag_job.py", "dag-job"] {
            let v = try BinaryRunner.run(["validate", dir + "/" + input, "--history", dir + "/none.sqlite"], in: "/",
                                         environment: Self.environment(dir))
            #expect(v.exitCode == 0 && v.stdout == "valid: 3 jobs, 2 edges, depth 2\n", "\(v.stderr)")
            let g = try BinaryRunner.run(["graph", dir + "/" + input, "--format", "mermaid"], in: "/")
            #expect(g.exitCode == 0 && g.stdout.contains("n0 --> n2"), "\(g.stderr)")
        }
        let elsewhere = try BinaryRunner.run(["run", dir + "/dag-job", "--no-tui", "--no-history"], in: "/",
                                             environment: Self.environment(dir))
        #expect(elsewhere.exitCode == 0, "\(elsewhere.stderr)")
    }

    @Test func configIniTeamIsTheDefaultTeamAndArgumentsPassAsVDKPassesThem() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "[owner]\nteam = my-team\n".write(toFile: dir + "/dag-job/config.ini", atomically: true, encoding: .utf8)
        try """
            JOBS_RUN_ORDER = [
                {'job_name': 'ingest-job1', 'depends_on': [], 'arguments': {'big': 123456789012345678901234567890, 'inf': float('inf'), 'q': 'it\\'s', 'n': None}},
                {'job_name': 'ingest-job2', 'depends_on': [], 'arguments': {}},
            ]
            """.write(toFile: dir + "/dag-job/dag_job.py", atomically: true, encoding: .utf8)
        let r = try BinaryRunner.run(["run", "dag-job", "--no-tui", "--no-history", "--output", "json"], in: dir,
                                     environment: Self.environment(dir))
        #expect(r.exitCode == 0, "\(r.stderr)")
        let calls = Self.calls(dir)
        #expect(calls.contains("\(dir) run \(dir)/ingest-job1 --arguments {\"big\":123456789012345678901234567890,\"inf\":Infinity,\"q\":\"it's\",\"n\":null}"), "\(calls)")
        // VDK passes no --arguments for an empty dict (`if arguments:`).
        #expect(calls.contains("\(dir) run \(dir)/ingest-job2"), "\(calls)")
    }

    @Test(.enabled(if: VDKDagCLITests.python3 != nil, "python3 is not on PATH: the evaluation of job lists built by code is not tested"))
    func aJobListBuiltByCodeIsEvaluatedByPython() throws {
        let dir = try BinaryRunner.directory(["dag.py": """
            import logging
            from vdk.api.job_input import IJobInput
            from vdk.plugin.dag.dag_runner import DagInput

            log = logging.getLogger(__name__)

            def run(job_input: IJobInput):
                log.info(f"Dummy arguments {job_input.get_arguments()}")
                job1 = dict(job_name="job1", depends_on=[], arguments={"n": 10**30, "f": float("inf")})
                job2 = dict(job_name="job2", depends_on=["job1"])
                job3 = dict(job_name="job3", depends_on=["job1"])
                job4 = dict(job_name="job4", depends_on=["job2", "job3"])
                DagInput().run_dag([job1, job2, job3, job4])
            """, "bad.py": """
            def run(job_input):
                jobs = [dict(job_name="a", depends_on=[])] * undefined_name
                DagInput().run_dag(jobs)
            """, "typo.py": """
            from vdk.plugin.dag.dag_runner import DagInput
            def run(job_input):
                DagInput().run_dag([dict(job_name="a", depends_on=["b"])])
            """])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ok = try BinaryRunner.run(["validate", "dag.py", "--history", dir + "/none.sqlite"], in: dir)
        #expect(ok.exitCode == 0 && ok.stdout == "valid: 4 jobs, 4 edges, depth 3\n", "\(ok.stderr)")
        let bad = try BinaryRunner.run(["validate", "bad.py"], in: dir)
        #expect(bad.exitCode == 2 && bad.stderr.contains("bad.py:2") && bad.stderr.contains("NameError"), "\(bad.stderr)")
        let typo = try BinaryRunner.run(["validate", "typo.py"], in: dir)
        #expect(typo.exitCode == 2 && typo.stderr.contains("typo.py:3: requirement error"), "\(typo.stderr)")
        let noPython = try BinaryRunner.run(["validate", "dag.py"], in: dir, environment: ["PATH": "/nonexistent"])
        #expect(noPython.exitCode == 2 && noPython.stderr.contains("python3 is not on PATH"), "\(noPython.stderr)")
    }

    @Test func jobsAreLookedUpInTheCurrentDirectoryThenTheJobPathThenBesideTheDefinition() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        for path in ["cwd/ingest-job1", "path/ingest-job2", "cwd/path-rel/read-data-job"] {
            try fm.createDirectory(atPath: dir + "/" + path, withIntermediateDirectories: true)
        }
        let env = Self.environment(dir, ["DAGS_LOCAL_RUN_JOB_PATH": "\(dir)/path:path-rel"])
        let r = try BinaryRunner.run(["run", "../dag-job", "--no-tui", "--no-history"], in: dir + "/cwd", environment: env)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let calls = Set(Self.calls(dir).map { $0.split(separator: " ").last.map(String.init) ?? "" })
        #expect(calls == ["\(dir)/cwd/ingest-job1", "\(dir)/path/ingest-job2", "\(dir)/cwd/path-rel/read-data-job"], "\(calls)")

        // Not found: the error names the definition file and lists each directory searched once, in order.
        try fm.removeItem(atPath: dir + "/read-data-job")
        try fm.removeItem(atPath: dir + "/cwd/path-rel/read-data-job")
        let missing = try BinaryRunner.run(["run", dir + "/dag-job", "--no-tui", "--no-history"], in: dir,
                                           environment: Self.environment(dir, ["DAGS_LOCAL_RUN_JOB_PATH": dir + ":" + dir + "/path"]))
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.hasPrefix("\(dir)/dag-job/dag_job.py:19: requirement error"), "\(missing.stderr)")
        #expect(missing.stderr.contains("Searched (in this order): \(dir), \(dir)/path."), "\(missing.stderr)")
    }

    @Test func aDefinitionFromAPipeWorksForValidateGraphAndRun() throws {
        let dir = try BinaryRunner.directory(["m.yaml": "jobs:\n  - {job_name: a, depends_on: [], command: 'true'}\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for command in ["validate", "graph", "run --no-tui --no-history"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "'\(BinaryRunner.binary.path)' \(command) <(cat m.yaml)"]
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            process.environment = BinaryRunner.testEnvironment()
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(command): \(text)")
            #expect(!text.contains("permission denied"))
        }
    }

    /// The python3 on PATH, if any.
    static let python3: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()
}
