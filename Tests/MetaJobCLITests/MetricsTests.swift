import Foundation
@testable import MetaJobCLI
import MetaJobCore
import Testing

/// `metajob history metrics`: Prometheus text from real runs in a real history file.
@Suite("history metrics in Prometheus' text format")
struct MetricsTests {
    /// Meta job and job names with quotes and backslashes (allowed in names; they must be escaped as labels).
    static let definition = #"""
    name: 'nightly "prod" \ eu'
    jobs:
      - job_name: 'say "hi"'
        depends_on: []
        command: "true"
      - job_name: 'back\slash'
        depends_on: ['say "hi"']
        command: "test -f fixed"
    """#

    /// Runs `promtool check metrics` on `text` when promtool is installed; nil when it is not.
    static func promtool(_ text: String) throws -> (Int32, String)? {
        let path = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func realRunsBecomeMetricsAFileCollectorCanRead() throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.definition])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["METAJOB_HISTORY": dir + "/history.sqlite"]
        #expect(try BinaryRunner.run(["run", "p.yaml", "--no-tui"], in: dir, environment: env).exitCode == 1)
        try "".write(toFile: dir + "/fixed", atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(["run", "p.yaml", "--no-tui"], in: dir, environment: env).exitCode == 0)

        let file = dir + "/textfile/metajob.prom"
        try FileManager.default.createDirectory(atPath: dir + "/textfile", withIntermediateDirectories: true)
        let result = try BinaryRunner.run(["history", "metrics", "--output", file], in: dir, environment: env)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        // Written by rename: nothing but the file is left in the collector's directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/textfile") == ["metajob.prom"])
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let parsed = try ExpositionParser(text)

        let metaJob = #"nightly "prod" \ eu"#
        #expect(parsed.value("metajob_runs_total", ["meta_job": metaJob, "outcome": "failed"]) == 1)
        #expect(parsed.value("metajob_runs_total", ["meta_job": metaJob, "outcome": "succeeded"]) == 1)
        #expect(parsed.value("metajob_runs_total", ["meta_job": metaJob, "outcome": "cancelled"]) == 0)
        #expect(parsed.value("metajob_last_run_success", ["meta_job": metaJob]) == 1)
        #expect(parsed.value("metajob_last_run_outcome", ["meta_job": metaJob, "outcome": "succeeded"]) == 1)
        #expect(parsed.value("metajob_last_run_outcome", ["meta_job": metaJob, "outcome": "failed"]) == 0)
        let now = Date().timeIntervalSince1970
        let ended = try #require(parsed.value("metajob_last_run_timestamp_seconds", ["meta_job": metaJob]))
        #expect(ended > now - 600 && ended <= now + 1)
        let duration = try #require(parsed.value("metajob_last_run_duration_seconds", ["meta_job": metaJob]))
        #expect(duration >= 0 && duration < 600)
        #expect(parsed.value("metajob_job_failures_total", ["meta_job": metaJob, "job": #"back\slash"#]) == 1)
        #expect(parsed.value("metajob_job_failures_total", ["meta_job": metaJob, "job": #"say "hi""#]) == 0)
        #expect(parsed.value("metajob_job_last_success", ["meta_job": metaJob, "job": #"back\slash"#]) == 1)
        #expect(parsed.value("metajob_job_last_duration_seconds", ["meta_job": metaJob, "job": #"say "hi""#]) != nil)
        #expect(parsed.types["metajob_runs_total"] == "counter")
        #expect(parsed.types["metajob_last_run_duration_seconds"] == "gauge")
        // The escaped text itself, as the format spells it.
        #expect(text.contains(#"meta_job="nightly \"prod\" \\ eu""#))

        // Without --output: the same text on stdout.
        let stdout = try BinaryRunner.run(["history", "metrics"], in: dir, environment: env)
        #expect(stdout.exitCode == 0 && stdout.stdout == text)

        if let (code, output) = try Self.promtool(text) {
            #expect(code == 0, "promtool check metrics: \(output)")
        } else {
            print("SKIPPED: promtool check metrics: promtool is not installed (Debian package prometheus; .ci/run installs it)")
        }
    }

    @Test func labelValuesWithNewlinesQuotesAndBackslashesRoundTrip() throws {
        let hostile = "a\"b\\c\nd\\n"
        let metrics = HistoryMetrics(
            runs: [RunCount(metaJob: hostile, state: .failed, count: 2)],
            lastRuns: [LastRun(metaJob: hostile, runId: "r1", state: .failed, startedAt: 100, endedAt: 112.5,
                               jobs: [LastRunJob(name: hostile, state: .userError, durationSeconds: 1.25)])],
            jobFailures: [JobFailureCount(metaJob: hostile, job: hostile, failures: 2)])
        let text = PrometheusExposition.render(metrics)
        // One sample per line: the newline in the value is escaped.
        #expect(!text.contains("c\nd"))
        let parsed = try ExpositionParser(text)
        #expect(parsed.value("metajob_runs_total", ["meta_job": hostile, "outcome": "failed"]) == 2)
        #expect(parsed.value("metajob_last_run_duration_seconds", ["meta_job": hostile]) == 12.5)
        #expect(parsed.value("metajob_job_last_duration_seconds", ["meta_job": hostile, "job": hostile]) == 1.25)
        #expect(parsed.value("metajob_job_failures_total", ["meta_job": hostile, "job": hostile]) == 2)
        if let (code, output) = try Self.promtool(text) {
            #expect(code == 0, "promtool check metrics: \(output)")
        } else {
            print("SKIPPED: promtool check metrics: promtool is not installed (Debian package prometheus; .ci/run installs it)")
        }
    }

    @Test func anUnwritableOutputIsRefusedWithWhatToDo() throws {
        let dir = try BinaryRunner.directory([:])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try BinaryRunner.run(["history", "metrics", "--output", dir + "/missing/dir/m.prom"], in: dir,
                                          environment: ["METAJOB_HISTORY": dir + "/h.sqlite"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("Give a FILE in a directory you can write to"))
    }
}
