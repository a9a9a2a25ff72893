import Foundation
import Testing

/// "What changed" and keeping what the logs say, end to end in a real terminal (tmux): the browser's comparison
/// names the job made slower; `y` puts a log line on the terminal's clipboard through the dashboard's own OSC 52
/// (never the job's), `s` saves the attempt's exact bytes. Skipped, saying why, when tmux is not installed.
@Suite(.serialized, .enabled(if: DashboardTmux.missingReason == nil, "\(DashboardTmux.missingReason ?? "")"))
struct DashboardCompareTmuxTests {
    /// Three runs as usual, a fourth with `slow` 5.4 s slower (beyond ±25 % and ±5 s): opened in the browser,
    /// the run shows what changed and names `slow`, and only it. About 7 s: the noise floor is 5 s.
    @Test func theBrowsersComparisonNamesTheJobMadeSlower() throws {
        let tmux = try DashboardTmux(width: 140, height: 30)
        defer { tmux.killAndRemoveDirectory() }
        let definition = """
            name: nightly-compare
            jobs:
              - job_name: steady
                depends_on: []
                command: echo steady
              - job_name: slow
                depends_on: []
                command: sleep "$(cat slow.txt)"
            """
        try definition.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        let history = tmux.directory + "/history.sqlite"
        for seconds in ["0.05", "0.05", "0.05", "5.45"] {
            try seconds.write(toFile: tmux.directory + "/slow.txt", atomically: true, encoding: .utf8)
            let r = try BinaryRunner.run(["run", "p.yaml", "--no-tui", "--history", history], in: tmux.directory)
            #expect(r.exitCode == 0, "\(r.stderr)")
        }
        _ = try tmux.launchMetajob(["browse", "--history", history])
        try tmux.waitFor(text: "nightly-compare")
        try tmux.press("Enter")
        let changes = try tmux.waitFor("the comparison") { $0.contains("Changes since run") && $0.contains("slower") }
        let lines = changes.screen.split(separator: "\n")
        let slow = lines.first { $0.contains(" slow ") }.map(String.init) ?? ""
        #expect(slow.contains("slower"), "the slow job is named slower:\n\(changes.screen)")
        #expect(changes.screen.contains("1 of 2 jobs"), "only it changed:\n\(changes.screen)")
        // C lists only the changed jobs: steady goes.
        try tmux.press("C")
        let only = try tmux.waitFor("the changed jobs only") { $0.contains("(changed only") }
        #expect(!only.screen.split(separator: "\n").contains { $0.contains(" steady ") && $0.contains("succeeded") },
                "an unchanged job is not listed:\n\(only.screen)")
        try tmux.press("q")
        #expect(tmux.exitCode() == 0)
    }

    /// A job prints a line holding its own OSC 52 write: `y` copies the line as the screen shows it (the
    /// terminal's clipboard gets it from the dashboard; the job's "evil" never arrives), `s` then Enter saves
    /// the attempt's bytes, ESC sequences included, to the suggested file.
    @Test func yCopiesThroughOSC52AndSSavesTheExactBytes() throws {
        let tmux = try DashboardTmux(width: 140, height: 30)
        defer { tmux.killAndRemoveDirectory() }
        try tmux.allowClipboardWrites()
        let script = #"printf 'copy me \033]52;c;ZXZpbA==\007 now\033[31m red\n'"#
        try (script + "\n").write(toFile: tmux.directory + "/talk.sh", atomically: true, encoding: .utf8)
        let definition = "name: keep\njobs:\n  - job_name: talker\n    depends_on: []\n    command: sh ./talk.sh\n"
        try definition.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        _ = try tmux.launchMetajob(["run", "p.yaml", "--history", "history.sqlite"])
        try tmux.waitFor("the run to end with the line shown") { $0.contains("SUCCEEDED") && $0.contains("copy me") }
        #expect(try tmux.pasteBuffers().isEmpty, "the job's own OSC 52 reached the terminal")

        try tmux.press("Enter")
        try tmux.press("y")
        #expect(ProcessProbe.eventually(10) { (try? tmux.pasteBuffers())?.first == "copy me  now red" },
                "the clipboard holds \((try? tmux.pasteBuffers()) ?? [])")
        #expect(try !tmux.pasteBuffers().contains { $0.contains("evil") })

        try tmux.press("s")
        let prompt = try tmux.waitFor(text: "save to: ")
        let name = try #require(prompt.screen.split(separator: "\n").lazy.compactMap { line -> String? in
            guard let at = line.range(of: "save to: ") else { return nil }
            // The prompt draws its cursor as "_" after the text.
            return String(line[at.upperBound...].prefix { $0 != " " && $0 != "│" && $0 != "_" })
        }.first)
        #expect(name.hasPrefix("keep-") && name.hasSuffix("-talker-attempt1.log"), "suggested \(name)")
        try tmux.press("Enter")
        try tmux.waitFor(text: "saved ")
        let saved = try [UInt8](Data(contentsOf: URL(fileURLWithPath: tmux.directory + "/" + name)))
        #expect(saved == Array("copy me \u{1B}]52;c;ZXZpbA==\u{07} now\u{1B}[31m red\n".utf8), "\(String(decoding: saved, as: UTF8.self).debugDescription)")
        try tmux.press("q")
        #expect(tmux.exitCode() == 0)
    }
}
