import Foundation
import Testing

/// The dashboard end to end: the real `metajob` binary in a real terminal (tmux), driven by keys.
/// Skipped, saying why, when tmux is not installed.
@Suite(.serialized, .enabled(if: DashboardTmux.missingReason == nil, "\(DashboardTmux.missingReason ?? "")"))
struct DashboardTmuxTests {
    /// The demo in the dashboard: jobs appear and change state, the flaky job fails for good, `R` retries it,
    /// the run ends succeeded, `q` quits, the summary is printed and the shell works as before; then the history
    /// browser lists that run and opens it.
    @Test func demoRetryQuitAndBrowse() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let history = tmux.directory + "/history.sqlite"
        try tmux.command("\(BinaryRunner.binary.path) demo --history \(history); echo \"exit=$?\"")

        // The jobs appear and change state.
        try tmux.waitFor(text: "load-currency-rat")  // cut to the DAG column, with an ellipsis
        #expect(try tmux.alternateScreen(), "the dashboard draws on the alternate screen")
        try tmux.waitFor("a job not finished yet") { screen in
            ["running #", "pending", "submitted", "delayed"].contains { screen.contains($0) }
        }
        try tmux.waitFor("a job succeeded") { $0.contains("succeeded #1") }
        // The flaky job fails its automatic retry too, and the meta job fails.
        let failed = try tmux.waitFor("the flaky job to fail for good") { $0.contains("user_error #2") && $0.contains("FAILED") }
        #expect(failed.screen.contains("not_run"), "its downstream did not run")

        // R previews the retry of every failed job, Enter sends it: the flaky job's third attempt succeeds and so does the run.
        try tmux.press("R")
        try tmux.waitFor(text: "Runs again")
        try tmux.press("Enter")
        try tmux.waitFor("the run to succeed after the retry") { $0.contains("SUCCEEDED") && $0.contains("11 succeeded") }

        // q quits (nothing runs: no confirmation); the terminal is given back and the summary printed.
        try tmux.press("q")
        let done = try tmux.waitFor(text: "exit=0")
        #expect(done.screen.contains("demo-nightly-sales succeeded in"))
        #expect(done.screen.split(separator: "\n").contains { $0.hasPrefix("load-currency-rates") && $0.contains("succeeded  3") },
                "the flaky job succeeded on its third attempt")
        #expect(try !tmux.alternateScreen(), "no alternate screen is left behind")
        try tmux.expectShellUsable()
        let runId = try #require(Self.runId(in: done.screen), "the summary names the run")

        // The history browser lists the run; Enter opens it read-only in the run layout.
        try tmux.command("clear; \(BinaryRunner.binary.path) browse --history \(history); echo \"exit=$?\"")
        let list = try tmux.waitFor(text: runId)
        #expect(list.screen.contains("demo-nightly-sales"))
        #expect(try tmux.alternateScreen())
        try tmux.press("Enter")
        let opened = try tmux.waitFor("the run to open") { $0.contains("read-only") && $0.contains("extract-orders") }
        #expect(opened.screen.contains("run \(runId)"))
        try tmux.press("q")
        try tmux.waitFor(text: "exit=0")
        #expect(try !tmux.alternateScreen())
        try tmux.expectShellUsable()
    }

    /// SIGTERM while jobs run: the run stops as headless does, the terminal is given back, exit code 143.
    @Test func sigtermRestoresTheTerminalAndExits143() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let definition = """
            name: sleepy
            jobs:
              - job_name: sleeper
                depends_on: []
                command: sleep 60
              - job_name: after-sleeper
                depends_on: [sleeper]
                command: "true"
            """
        try definition.write(toFile: tmux.directory + "/sleepy.yaml", atomically: true, encoding: .utf8)
        let pidFile = tmux.directory + "/metajob.pid"
        // `exec` keeps the pid written the dashboard's pid, in the foreground of the terminal.
        try tmux.command("sh -c 'echo $$ > \(pidFile); exec \(BinaryRunner.binary.path) run sleepy.yaml --history history.sqlite'; echo \"exit=$?\"")
        try tmux.waitFor("the job to run") { $0.contains("sleeper") && $0.contains("running #1") }
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try #require(Int32(pidText))
        #expect(Foundation.kill(pid, SIGTERM) == 0)
        let done = try tmux.waitFor(text: "exit=143", timeout: 30)
        #expect(done.screen.contains("sleepy cancelled in"))
        #expect(try !tmux.alternateScreen(), "no alternate screen is left behind")
        try tmux.expectShellUsable()
    }

    /// The run id from the summary line (`… — run 20261124-153012-a3f9: …`).
    private static func runId(in screen: String) -> String? {
        guard let range = screen.range(of: #"run \d{8}-\d{6}-[0-9a-f]{4}"#, options: .regularExpression) else { return nil }
        return String(screen[range].dropFirst(4))
    }
}
