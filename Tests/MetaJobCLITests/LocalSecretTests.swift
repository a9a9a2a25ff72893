import Foundation
import MetaJobHistory
import Testing

/// metajob's own token (`VDK_API_TOKEN`) stays in local jobs' environment but never in what they write out.
@Suite("Local jobs and metajob's secrets")
struct LocalSecretTests {
    static let token = "rt-local-9f8e7d6c5b4a-secret"

    /// Every byte a run wrote: stdout, stderr, the history file (with its WAL) and its log files.
    static func everything(_ result: BinaryRunner.Result, dir: String) throws -> [UInt8] {
        var all = Array(result.stdout.utf8) + Array(result.stderr.utf8)
        for name in try FileManager.default.subpathsOfDirectory(atPath: dir) where name.hasPrefix("history") {
            if let data = FileManager.default.contents(atPath: dir + "/" + name) { all += Array(data) }
        }
        return all
    }

    @Test(arguments: ["plain", "json"])
    func aJobPrintingTheTokenLeavesItNowhere(format: String) throws {
        // The token on its own, inside a line, twice in a line, on stderr, and as the unterminated last line.
        let script = #"""
            echo "twice $VDK_API_TOKEN$VDK_API_TOKEN end" >&2
            sleep 0.3
            echo "token: $VDK_API_TOKEN"
            env | grep '^VDK_API_TOKEN=' | wc -l
            printf '%s' "$VDK_API_TOKEN"
            """#
        let pipeline = "jobs:\n  - job_name: leaky\n    depends_on: []\n    command: sh ./leak.sh\n"
        let dir = try BinaryRunner.directory(["p.yaml": pipeline, "leak.sh": script])
        let history = dir + "/history.sqlite"
        let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--logs", "--output", format, "--history", history],
                                     in: dir, environment: ["VDK_API_TOKEN": Self.token])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let all = try Self.everything(r, dir: dir)
        let leaked = String(decoding: all, as: UTF8.self).contains(Self.token)
        #expect(!leaked, "the token appears in what the run wrote")
        // The job still had it (the count line), and what it printed is there with the token replaced.
        let runId = try #require(try HistoryStore(path: history).listRuns(limit: 1).first).runId
        let logs = try BinaryRunner.runRaw(["history", "logs", runId, "leaky", "--history", history], in: dir)
        let text = String(decoding: logs, as: UTF8.self)
        // stdout and stderr come through two pipes; the pause keeps the stderr line first.
        #expect(text == "twice [redacted][redacted] end\ntoken: [redacted]\n1\n[redacted]", "\(text.debugDescription)")
    }
}
