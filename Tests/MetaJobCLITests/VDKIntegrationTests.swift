import Foundation
import Testing

/// The real vdk-core and vdk-dag (pinned, from PyPI; `.ci/run` prepares the virtual environment and names it in
/// METAJOB_VDK_VENV): real data job directories run through `vdk run` by metajob and by vdk-dag's own local
/// executor, case by case; statuses, arguments (byte for byte, as the job received them) and exit codes must agree.
@Suite(.enabled(if: VDKVenv.missingReason == nil, "\(VDKVenv.missingReason ?? "")"), .serialized)
struct VDKIntegrationTests {
    /// One data job: its step's source.
    static let jobs: [String: String] = [
        "ok-job": "import json, os\ndef run(job_input):\n    path = os.path.join(os.environ['ARGS_OUT'], 'ok-job')\n"
            + "    open(path, 'w').write(json.dumps(job_input.get_arguments()))\n",
        "user-error-job": "def run(job_input):\n    raise ValueError('boom')\n",
        "platform-error-job": "import os\ndef run(job_input):\n    os._exit(3)\n",
        "skip-job": "def run(job_input):\n    job_input.skip_remaining_steps()\n",
        "syntax-error-job": "def run(job_input)\n    print(1)\n",
    ]

    /// Each case is a DAG job: its JOBS_RUN_ORDER as Python source.
    static let cases: [(name: String, jobs: String)] = [
        ("success", "[{'job_name': 'ok-job', 'depends_on': []}]"),
        ("user error", "[{'job_name': 'user-error-job', 'depends_on': []}]"),
        ("platform error", "[{'job_name': 'platform-error-job', 'depends_on': []}]"),
        ("skip_remaining_steps()", "[{'job_name': 'skip-job', 'depends_on': []}]"),
        ("syntax error", "[{'job_name': 'syntax-error-job', 'depends_on': []}]"),
        ("arguments", "[{'job_name': 'ok-job', 'depends_on': [], 'arguments': {'big': 123456789012345678901234567890, "
            + "'inf': float('inf'), 'ninf': float('-inf'), 's': 'it\\'s \"q\" \\u00e9\\n', 'n': None, 'f': 1e16, "
            + "'t': True, 'l': [1, 2.5, None], 'd': {'k': []}}}]"),
        ("DAG of all five", """
            [
                {'job_name': 'ok-job', 'depends_on': [], 'arguments': {'x': 1}},
                {'job_name': 'user-error-job', 'depends_on': ['ok-job'], 'fail_dag_on_error': False},
                {'job_name': 'platform-error-job', 'depends_on': ['ok-job'], 'fail_dag_on_error': False},
                {'job_name': 'skip-job', 'depends_on': ['user-error-job'], 'fail_dag_on_error': False},
                {'job_name': 'syntax-error-job', 'depends_on': ['platform-error-job', 'skip-job'], 'fail_dag_on_error': False},
            ]
            """),
    ]

    struct Outcome {
        var statuses: [String: String]
        var exitCode: Int32
        var seconds: Double
        var arguments: String?
        var output: String
    }

    @Test func metajobAndVDKDagAgreeCaseByCase() throws {
        let venv = try #require(VDKVenv.path)
        let root = try BinaryRunner.directory([:])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        for (name, step) in Self.jobs {
            try fm.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            try "[owner]\nteam = team-a\n".write(toFile: "\(root)/\(name)/config.ini", atomically: true, encoding: .utf8)
            try step.write(toFile: "\(root)/\(name)/10_step.py", atomically: true, encoding: .utf8)
        }
        var table = "| case | metajob status | vdk-dag status | metajob exit | vdk-dag exit | metajob wall | vdk-dag wall |\n"
        table += "| --- | --- | --- | --- | --- | --- | --- |\n"
        for (index, testCase) in Self.cases.enumerated() {
            let dag = "\(root)/cases/\(index)/dag"
            try fm.createDirectory(atPath: dag, withIntermediateDirectories: true)
            try "[owner]\nteam = team-a\n".write(toFile: dag + "/config.ini", atomically: true, encoding: .utf8)
            try "from vdk.plugin.dag.dag_runner import DagInput\n\nJOBS_RUN_ORDER = \(testCase.jobs)\n\n\ndef run(job_input):\n    DagInput().run_dag(JOBS_RUN_ORDER)\n"
                .write(toFile: dag + "/dag.py", atomically: true, encoding: .utf8)
            let ours = try Self.run(metajob: true, dag: dag, root: root, venv: venv)
            let theirs = try Self.run(metajob: false, dag: dag, root: root, venv: venv)
            #expect(!theirs.statuses.isEmpty, "\(testCase.name): no status in vdk-dag's log:\n\(theirs.output.suffix(3000))")
            #expect(ours.statuses == theirs.statuses, "\(testCase.name): metajob \(ours.statuses) vs vdk-dag \(theirs.statuses)\n\(ours.output)")
            #expect((ours.exitCode == 0) == (theirs.exitCode == 0), "\(testCase.name): exit \(ours.exitCode) vs \(theirs.exitCode)")
            #expect(ours.arguments == theirs.arguments, "\(testCase.name): arguments \(ours.arguments ?? "-") vs \(theirs.arguments ?? "-")")
            let show = { (o: Outcome) in o.statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
            table += "| \(testCase.name) | \(show(ours)) | \(show(theirs)) | \(ours.exitCode) | \(theirs.exitCode) | "
                + String(format: "%.2f s | %.2f s |\n", ours.seconds, theirs.seconds)
        }
        print("VDK comparison (vdk-core 0.3.1466514302, vdk-dag 0.1.1431637373, status checks every 1 s):\n" + table)
    }

    /// Runs the DAG job `dag` from `root` (VDK looks for jobs in the current directory) with metajob or vdk-dag.
    static func run(metajob: Bool, dag: String, root: String, venv: String) throws -> Outcome {
        let out = "\(dag)-\(metajob ? "metajob" : "vdk")-args"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var env = BinaryRunner.testEnvironment(adding: [
            "PATH": "\(venv)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "VIRTUAL_ENV": venv, "ARGS_OUT": out,
            // vdk-dag's defaults wait 40 s between status checks; both tools get the same fast settings.
            "DAGS_JOB_EXECUTOR_TYPE": "local", "DAGS_TIME_BETWEEN_STATUS_CHECK_SECONDS": "1",
            "DAGS_DAG_EXECUTION_CHECK_TIME_PERIOD_SECONDS": "1", "DAGS_DELAYED_JOBS_MIN_DELAY_SECONDS": "1",
            "DAGS_DELAYED_JOBS_RANDOMIZED_ADDED_DELAY_SECONDS": "1",
        ])
        env["METAJOB_VDK_VENV"] = nil
        let process = Process()
        process.executableURL = metajob ? BinaryRunner.binary : URL(fileURLWithPath: "\(venv)/bin/vdk")
        process.arguments = metajob ? ["run", dag, "--no-tui", "--no-history"] : ["run", dag]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        let guardTimer = DispatchWorkItem { process.terminate() }  // never hang: 5 minutes at most
        DispatchQueue.global().asyncAfter(deadline: .now() + 300, execute: guardTimer)
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guardTimer.cancel()
        let seconds = Date().timeIntervalSince(started)
        let arguments = try? String(contentsOfFile: out + "/ok-job", encoding: .utf8)
        return Outcome(statuses: metajob ? metajobStatuses(text) : vdkStatuses(text), exitCode: process.terminationStatus,
                       seconds: seconds, arguments: arguments, output: text)
    }

    /// The summary table's rows: `JOB  STATUS  ATTEMPTS …`.
    static func metajobStatuses(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var inTable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("JOB ") { inTable = true; continue }
            guard inTable else { continue }
            let fields = line.split(separator: " ")
            if fields.count < 2 { inTable = false; continue }
            out[String(fields[0])] = String(fields[1])
        }
        return out
    }

    /// vdk-dag's `finalize_job` log: "Finished data job NAME:" then "  status: STATUS".
    static func vdkStatuses(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            if let range = line.range(of: "Finished data job ") {
                current = String(line[range.upperBound...].dropLast(line.hasSuffix(":") ? 1 : 0))
            } else if let job = current, line.hasPrefix("  status: ") {
                out[job] = String(line.dropFirst("  status: ".count))
                current = nil
            }
        }
        return out
    }
}

/// The virtual environment with vdk-core and vdk-dag that `.ci/run` prepares.
enum VDKVenv {
    static let path: String? = {
        guard let dir = ProcessInfo.processInfo.environment["METAJOB_VDK_VENV"], !dir.isEmpty else { return nil }
        return dir
    }()

    static let missingReason: String? = {
        let why = ProcessInfo.processInfo.environment["METAJOB_VDK_SKIP_REASON"].map { " (\($0))" } ?? ""
        guard let path else {
            return "SKIPPED: no real vdk-core: METAJOB_VDK_VENV is not set\(why); .ci/run prepares it (needs python3 and the package index)"
        }
        guard FileManager.default.isExecutableFile(atPath: path + "/bin/vdk") else {
            return "SKIPPED: no real vdk-core: \(path)/bin/vdk is missing\(why)"
        }
        return nil
    }()
}
