import Foundation
import Testing

/// Notifications from a dashboard run: sent after the terminal is given back, their output never drawn raw.
/// Skipped, saying why, when tmux is not installed.
@Suite(.serialized, .enabled(if: DashboardTmux.missingReason == nil, "\(DashboardTmux.missingReason ?? "")"))
struct DashboardNotificationTests {
    @Test func aFailedDashboardRunNotifiesAfterTheTerminalIsBackAndKeepsItsExitCode() throws {
        let tmux = try DashboardTmux()
        defer { tmux.killAndRemoveDirectory() }
        let definition = """
            name: dashed
            jobs:
              - job_name: broken
                depends_on: []
                command: exit 4
            notifications:
              on_failure: "cat > payload.json; printf 'hook \\\\033[2J\\\\033]0;pwned\\\\007 said\\\\n'; exit 6"
            """
        try definition.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        try tmux.command("\(BinaryRunner.binary.path) run p.yaml --exit-when-done --history history.sqlite 2>err.txt; echo \"exit=$?\"")
        let done = try tmux.waitFor(text: "exit=1", timeout: 30)
        #expect(done.ok, "\(done.screen)")
        #expect(try !tmux.alternateScreen(), "the terminal was given back")
        #expect(try tmux.paneTitle() != "pwned", "the hook's output reached the terminal")

        let payload = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmux.directory + "/payload.json"))) as? [String: Any]
        #expect(payload?["outcome"] as? String == "failed")
        #expect(payload?["meta_job"] as? String == "dashed")
        let stderr = try String(contentsOfFile: tmux.directory + "/err.txt", encoding: .utf8)
        #expect(stderr.contains("warning: the on_failure notification"), "\(stderr)")
        #expect(stderr.contains("exited with code 6"))
        #expect(!stderr.contains("\u{1B}"), "hook output is escaped in the report")
    }
}
