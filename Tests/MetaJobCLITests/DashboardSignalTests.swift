import Foundation
import Testing

/// SIGINT and SIGTERM while the dashboard shows a run, in a real terminal (tmux): the run stops exactly as a
/// headless one does (`SignalStopTests`) and the terminal is given back as it was. Skipped, saying why, when
/// tmux is not installed.
@Suite(.serialized, .enabled(if: DashboardTmux.missingReason == nil, "\(DashboardTmux.missingReason ?? "")"))
struct DashboardSignalTests {
    /// The dashboard's pid and the pids the running jobs wrote.
    struct Started {
        var metajob: pid_t
        /// The two running jobs' leaders, which are also their process groups.
        var groups: [pid_t]
        /// The first job's grandchild, which ignores SIGTERM.
        var grandchild: pid_t
        /// Where the jobs work.
        var directory: String
    }

    /// Opens the dashboard on `SignalStopTests.stubborn` (two running jobs that make stopping hard, a queued
    /// job and a dependent that must never start) and waits until both jobs run and have written their pids.
    func startStubborn(_ tmux: DashboardTmux, grace: String) throws -> Started {
        try SignalStopTests.stubborn.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        let pid = try tmux.launchMetajob(["run", "p.yaml", "--history", "history.sqlite", "--grace-period", grace])
        let shown = try tmux.waitFor("both jobs to run in the dashboard") { screen in
            screen.components(separatedBy: "running #1").count == 3
        }
        #expect(shown.screen.contains("queued") && shown.screen.contains("pending"), "the queued job waits for a slot")
        #expect(try tmux.alternateScreen(), "the dashboard draws on the alternate screen")
        let files = ["leader1.pid", "leader2.pid", "grandchild.pid"].map { tmux.directory + "/" + $0 }
        #expect(ProcessProbe.eventually(30) { files.allSatisfy { ProcessProbe.pid(in: $0) != nil } }, "the jobs did not write their pids")
        let groups = files.prefix(2).compactMap { ProcessProbe.pid(in: $0) }
        return Started(metajob: pid, groups: groups, grandchild: ProcessProbe.pid(in: files[2]) ?? 0,
                       directory: tmux.directory)
    }

    /// Kills whatever a failed test left behind.
    func cleanUp(_ started: Started?) {
        guard let started else { return }
        if ProcessProbe.isAlive(started.metajob) { kill(started.metajob, SIGKILL) }
        for group in started.groups { ProcessProbe.killLeftover(group, workingIn: started.directory) }
        ProcessProbe.killLeftover(started.grandchild, group: false, workingIn: started.directory)
    }

    /// After metajob exited: no job process is left, neither never-started job ran, the summary and the
    /// history hold every final state, and the terminal is as it was before metajob started.
    func expectCleanStop(_ tmux: DashboardTmux, _ started: Started, modesBefore: [String: String], titleBefore: String) throws {
        #expect(!ProcessProbe.isAlive(started.metajob))
        #expect(started.groups.count == 2)
        for group in started.groups {
            #expect(ProcessProbe.liveMembers(ofGroup: group).isEmpty, "job process group \(group) still has processes")
        }
        #expect(!ProcessProbe.isAlive(started.grandchild), "the grandchild that ignores SIGTERM survived")
        #expect(!FileManager.default.fileExists(atPath: tmux.directory + "/queued-started"), "the queued job started after the signal")
        #expect(!FileManager.default.fileExists(atPath: tmux.directory + "/downstream-started"), "the dependent job started")

        // The summary is printed on the shell's screen once the dashboard has closed.
        let summary = try tmux.waitFor("the summary") { screen in
            screen.split(separator: "\n").contains { $0.hasPrefix("downstream ") && $0.contains("not_run") }
        }
        let rows = summary.screen.split(separator: "\n")
        for (job, state) in [("leaves-a-stubborn-child", "cancelled"), ("ignores-term", "cancelled"),
                             ("queued", "not_run"), ("downstream", "not_run")] {
            #expect(rows.contains { $0.hasPrefix(job + " ") && $0.contains(state) }, "summary row of \(job):\n\(summary.screen)")
        }

        let recorded = try SignalStopTests().recordedStates(tmux.directory + "/history.sqlite", in: tmux.directory)
        #expect(recorded.run != "running" && recorded.run != "interrupted", "the run is recorded as \(recorded.run)")
        #expect(recorded.jobs == ["leaves-a-stubborn-child": "cancelled", "ignores-term": "cancelled",
                                  "queued": "not_run", "downstream": "not_run"])

        #expect(try tmux.terminalModes() == modesBefore, "terminal modes differ from before metajob started")
        #expect(try tmux.paneTitle() == titleBefore)
        try tmux.expectShellUsable()
    }

    /// SIGINT: SIGTERM to both groups, SIGKILL after the 1 s grace period for the job that ignores it, every
    /// state recorded, the summary printed, exit 130, the terminal restored.
    @Test func sigintStopsEveryJobRestoresTheTerminalAndExits130() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let modes = try tmux.terminalModes(), title = try tmux.paneTitle()
        let started = try startStubborn(tmux, grace: "1")
        defer { cleanUp(started) }
        #expect(kill(started.metajob, SIGINT) == 0)
        // Grace 1 s: SIGKILL comes long before this bound.
        #expect(tmux.exitCode(timeout: 30) == 130)
        try expectCleanStop(tmux, started, modesBefore: modes, titleBefore: title)
    }

    /// Ctrl-C typed in the terminal (the terminal sends SIGINT to its foreground process group, which is metajob
    /// alone: each job has its own group) stops the run the same way.
    @Test func ctrlCTypedInTheTerminalStopsLikeSigint() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let modes = try tmux.terminalModes(), title = try tmux.paneTitle()
        let started = try startStubborn(tmux, grace: "1")
        defer { cleanUp(started) }
        try tmux.press("C-c")
        #expect(tmux.exitCode(timeout: 30) == 130)
        try expectCleanStop(tmux, started, modesBefore: modes, titleBefore: title)
    }

    /// SIGTERM: the same stop and the same clean terminal, exit 143.
    @Test func sigtermStopsEveryJobRestoresTheTerminalAndExits143() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let modes = try tmux.terminalModes(), title = try tmux.paneTitle()
        let started = try startStubborn(tmux, grace: "1")
        defer { cleanUp(started) }
        #expect(kill(started.metajob, SIGTERM) == 0)
        #expect(tmux.exitCode(timeout: 30) == 143)
        try expectCleanStop(tmux, started, modesBefore: modes, titleBefore: title)
    }

    /// A second SIGINT skips the grace period: with a 60 s grace, the job that ignores SIGTERM keeps metajob
    /// (and the dashboard) waiting after the first SIGINT, and the second ends everything long before the
    /// grace period would have.
    @Test func secondSigintSkipsTheGracePeriod() throws {
        let tmux = try DashboardTmux()
        defer { tmux.kill() }
        let modes = try tmux.terminalModes(), title = try tmux.paneTitle()
        let started = try startStubborn(tmux, grace: "60")
        defer { cleanUp(started) }
        #expect(kill(started.metajob, SIGINT) == 0)
        // The first job's leader does not ignore SIGTERM: once it is gone the stop is under way.
        #expect(ProcessProbe.eventually(15) { !ProcessProbe.isAlive(started.groups[0]) }, "SIGTERM did not reach the first job")
        #expect(ProcessProbe.isAlive(started.groups[1]), "the job that ignores SIGTERM ended before its grace period")
        #expect(ProcessProbe.isAlive(started.metajob), "metajob did not wait for the grace period")
        #expect(try tmux.alternateScreen(), "the dashboard stays open while jobs are being stopped")

        #expect(kill(started.metajob, SIGINT) == 0)
        // 15 s is a quarter of the grace period: only the second SIGINT can end the run by then.
        #expect(tmux.exitCode(timeout: 15) == 130, "metajob did not exit soon after the second SIGINT")
        try expectCleanStop(tmux, started, modesBefore: modes, titleBefore: title)
    }
}
