import Foundation
import Testing

/// Foresight end to end: three quick runs teach the history how long each job takes; in a fourth, watched in
/// the dashboard in a real terminal, one job is much slower: the header shows an ETA and that job is marked
/// overdue. Skipped, saying why, when tmux is not installed.
@Suite(.serialized, .enabled(if: DashboardTmux.missingReason == nil, "\(DashboardTmux.missingReason ?? "")"))
struct ForesightTmuxTests {
    static let pipeline = """
    name: foresight-e2e
    jobs:
      - job_name: prepare
        depends_on: []
        command: sleep 0.2
      - job_name: slow
        depends_on: [prepare]
        command: sleep $(cat slow.txt)
      - job_name: publish
        depends_on: [slow]
        command: sleep 0.2
    """

    @Test func etaShownAndTheSlowJobMarkedOverdue() throws {
        let tmux = try DashboardTmux()
        defer { tmux.killAndRemoveDirectory() }
        let dir = tmux.directory
        let history = dir + "/history.sqlite"
        try Self.pipeline.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        try "1".write(toFile: dir + "/slow.txt", atomically: true, encoding: .utf8)
        for round in 1...3 {
            let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: dir)
            #expect(r.exitCode == 0, "round \(round): \(r.stderr)")
        }
        // The fourth run: slow takes 4 s instead of 1 s.
        try "4".write(toFile: dir + "/slow.txt", atomically: true, encoding: .utf8)
        try tmux.command("\(BinaryRunner.binary.path) run p.yaml --history \(history); echo \"exit=$?\"")

        // Every job is known: a precise ETA (no "≥") with the time left, until slow passes its p90 (about 1 s in).
        let eta = try tmux.waitFor("a precise ETA in the header") { screen in
            let header = screen.split(separator: "\n").first ?? ""
            return header.contains("ETA ") && header.contains(" left)") && !header.contains("≥")
        }
        #expect(eta.ok)
        // slow runs past the p90 of its three 1 s runs: overdue, with the glyph and the word.
        let overdue = try tmux.waitFor("slow to be marked overdue", timeout: 20) { $0.contains("⚑ overdue") }
        #expect(overdue.ok)
        // Once it is overdue, nothing says how long it still takes: the ETA becomes a lower bound.
        try tmux.waitFor("the ETA to become a lower bound", timeout: 10) { $0.contains("ETA ≥") }

        // The run ends; q quits and the shell gets the exit code.
        try tmux.waitFor("the run to succeed", timeout: 30) { $0.contains("SUCCEEDED") }
        try tmux.press("q")
        try tmux.waitFor(text: "exit=0")
        try tmux.expectShellUsable()
    }
}
