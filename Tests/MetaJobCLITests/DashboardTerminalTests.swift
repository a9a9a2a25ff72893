import Foundation
import Testing

/// What a job and job control do to the dashboard's terminal, in a real one (tmux): a job writing to, reading
/// from or setting modes on `/dev/tty` changes nothing and fails at once (it has no controlling terminal);
/// Ctrl-Z then `fg`, twenty times, gives the terminal back and takes it again whole every time; Ctrl-\ stops
/// the run like SIGTERM, without a crash report. Skipped, saying why, when tmux is not installed.
@Suite(.serialized, .enabled(if: DashboardTmux.missingReason == nil, "\(DashboardTmux.missingReason ?? "")"))
struct DashboardTerminalTests {
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Three jobs that try the terminal once `go` exists, then mark that they are done.
    static let ttyJobs = """
        jobs:
          - job_name: writes-tty
            depends_on: []
            command: |
              while [ ! -e go ]; do sleep 0.05; done
              printf '\\033]0;PWNED-TITLE\\007\\033[?1049l\\033[?25h\\033[?1000h\\033[?7l\\033[4h\\033[2J HIJACKED ' > /dev/tty
              echo "tty-write-rc=$?"
              touch done-write
          - job_name: reads-tty
            depends_on: []
            command: |
              while [ ! -e go ]; do sleep 0.05; done
              read line < /dev/tty
              echo "tty-read-rc=$?"
              touch done-read
          - job_name: sets-modes
            depends_on: []
            command: |
              while [ ! -e go ]; do sleep 0.05; done
              stty -F /dev/tty raw -echo
              echo "stty-rc=$?"
              touch done-stty
        """

    @Test func jobsUsingDevTtyChangeNothingOnTheTerminalAndFailAtOnce() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let modesBefore = try tmux.terminalModes(), titleBefore = try tmux.paneTitle()
        try Self.ttyJobs.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        let pid = try tmux.launchMetajob(["run", "p.yaml", "--history", "history.sqlite"])
        defer { if ProcessProbe.isAlive(pid) { kill(pid, SIGKILL) } }
        try tmux.waitFor("the three jobs in the dashboard") { $0.contains("writes-tty") && $0.contains("sets-modes") }
        #expect(try tmux.alternateScreen())
        let modesShown = try tmux.terminalModes()

        _ = FileManager.default.createFile(atPath: tmux.directory + "/go", contents: nil)
        // A job that read /dev/tty or set its modes while on it would stop (SIGTTIN/SIGTTOU) and never get here.
        let done = ProcessProbe.eventually(30) {
            ["done-write", "done-read", "done-stty"].allSatisfy { FileManager.default.fileExists(atPath: tmux.directory + "/" + $0) }
        }
        #expect(done, "a job using /dev/tty hangs; the screen:\n\((try? tmux.screen()) ?? "")")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try tmux.terminalModes() == modesShown, "a job changed the terminal's modes under the dashboard")
        #expect(try tmux.paneTitle() == titleBefore, "a job set the terminal's title")
        #expect(try !tmux.screen().contains("HIJACKED"), "a job's bytes reached the terminal raw")

        try tmux.press("q")
        #expect(tmux.exitCode(timeout: 30) == 0)
        #expect(try tmux.terminalModes() == modesBefore)
        #expect(try tmux.paneTitle() == titleBefore)
        try tmux.expectShellUsable()
        let history = tmux.directory + "/history.sqlite"
        for (job, marker) in [("writes-tty", "tty-write-rc="), ("reads-tty", "tty-read-rc="), ("sets-modes", "stty-rc=")] {
            let list = try BinaryRunner.run(["history", "list", "--json", "--history", history], in: tmux.directory)
            let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            let id = try #require(runs.first?["run_id"] as? String)
            let logs = try BinaryRunner.run(["history", "logs", id, job, "--history", history], in: tmux.directory)
            let line = logs.stdout.split(separator: "\n").first { $0.hasPrefix(marker) }.map(String.init) ?? ""
            #expect(!line.isEmpty && line != marker + "0", "\(job) used /dev/tty successfully: \(logs.stdout)")
        }
    }

    @Test func ctrlZThenFgTwentyTimesRestoresTheDashboardAndTheTerminal() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let modesBefore = try tmux.terminalModes()
        try """
            name: suspendable
            jobs:
              - {job_name: first-job, depends_on: [], command: "echo hello"}
              - {job_name: second-job, depends_on: [first-job], command: "echo world"}
            """.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        let pidFile = tmux.directory + "/metajob.pid"
        // A simple command, not a list: bash goes on with a list when its job stops, and `fg` returns the status.
        let argv = [BinaryRunner.binary.path, "run", "p.yaml", "--history", "history.sqlite"].map(Self.quote).joined(separator: " ")
        try tmux.command("sh -c \(Self.quote("echo $$ > \(pidFile); exec \(argv)"))")
        #expect(ProcessProbe.eventually(30) { ProcessProbe.pid(in: pidFile) != nil })
        let pid = ProcessProbe.pid(in: pidFile) ?? 0
        defer { if pid > 0, ProcessProbe.isAlive(pid) { kill(pid, SIGKILL) } }
        let whole: (String) -> Bool = { screen in
            screen.contains("suspendable") && screen.contains("first-job") && screen.contains("second-job")
                && screen.contains("succeeded")
        }
        try tmux.waitFor("the finished run in the dashboard", whole)

        for round in 1...20 {
            try tmux.press("C-z")
            let stopped = try tmux.waitFor("metajob to stop (round \(round))") { screen in
                screen.contains("Stopped") && (try? tmux.alternateScreen()) == false
            }
            guard stopped.ok else {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                Issue.record("metajob's state: \(ProcessProbe.stat(pid)?.prefix(8).joined(separator: " ") ?? "gone")\n\(status)")
                break
            }
            #expect(ProcessProbe.stat(pid)?.first == "T", "metajob is not stopped")
            try tmux.command("clear; fg")
            let back = try tmux.waitFor("the whole dashboard after fg (round \(round))") { screen in
                whole(screen) && (try? tmux.alternateScreen()) == true
            }
            guard back.ok else { break }
        }
        try tmux.press("q")
        try tmux.command("echo \"exit=$?\"")
        try tmux.waitFor(text: "exit=0", timeout: 30)
        // Not a staircase: each summary row starts at the left edge (the output modes are the shell's again).
        let summary = try tmux.screen().split(separator: "\n")
        for job in ["first-job", "second-job"] {
            #expect(summary.contains { $0.hasPrefix(job + " ") && $0.contains("succeeded") }, "summary row of \(job):\n\(summary.joined(separator: "\n"))")
        }
        #expect(try tmux.terminalModes() == modesBefore)
        try tmux.expectShellUsable()
    }

    @Test func ctrlBackslashStopsTheRunWithoutACrashReportAndExits131() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let modesBefore = try tmux.terminalModes()
        try SignalExitTests.long.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        let pid = try tmux.launchMetajob(["run", "p.yaml", "--history", "history.sqlite", "--grace-period", "1"])
        var group: pid_t = 0
        defer {
            if ProcessProbe.isAlive(pid) { kill(pid, SIGKILL) }
            ProcessProbe.killLeftover(group, workingIn: tmux.directory)
        }
        #expect(ProcessProbe.eventually(30) { ProcessProbe.pid(in: tmux.directory + "/long.pid") != nil })
        group = ProcessProbe.pid(in: tmux.directory + "/long.pid") ?? 0
        try tmux.waitFor(text: "running")
        try tmux.press("C-\\")
        #expect(tmux.exitCode(timeout: 30) == 131)
        let screen = try tmux.screen()
        for crash in ["Crash", "Backtrace", "backtrace", "Fatal error", "💣"] {
            #expect(!screen.contains(crash), "a crash report reached the terminal:\n\(screen)")
        }
        #expect(screen.split(separator: "\n").contains { $0.hasPrefix("long ") && $0.contains("cancelled") }, "no summary:\n\(screen)")
        #expect(ProcessProbe.liveMembers(ofGroup: group).isEmpty)
        #expect(try tmux.terminalModes() == modesBefore)
        try tmux.expectShellUsable()
    }
}
