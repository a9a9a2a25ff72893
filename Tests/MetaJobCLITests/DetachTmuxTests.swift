import Foundation
import Testing

/// Detaching from a run started in this terminal's dashboard (tmux): the prompt comes back at once, the jobs
/// keep running in the background copy, `metajob attach` finds the run, and its end is recorded; a dashboard
/// killed without detaching stops its run instead of leaving it unwatched.
@Suite("detach from the dashboard (tmux)", .serialized)
struct DetachTmuxTests {
    /// `flaky` fails the first time; `slow` keeps the run going until the file `gate` exists (60 s at most).
    let pipeline = """
    name: detaching
    jobs:
      - job_name: flaky
        depends_on: []
        command: if [ -f marker ]; then exit 0; fi; touch marker; exit 3
      - job_name: slow
        depends_on: []
        command: echo "slow pid $$"; i=0; while [ ! -f gate ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
    """

    func setUp() throws -> (tmux: DashboardTmux, env: [String: String], scratch: String)? {
        if let missing = DashboardTmux.missingReason {
            print("SKIPPED detach tmux tests: \(missing)")
            return nil
        }
        let scratch = try BinaryRunner.directory([:])
        mkdir(scratch + "/runtime", 0o700)
        let env = ["METAJOB_HISTORY": scratch + "/h.sqlite", "XDG_RUNTIME_DIR": scratch + "/runtime"]
        let tmux = try DashboardTmux(environment: env)
        try pipeline.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        return (tmux, env, scratch)
    }

    /// The newest run in the history as `history list --json` has it.
    func newestRun(_ env: [String: String]) throws -> [String: Any] {
        let list = try BinaryRunner.run(["history", "list", "--json"], environment: env)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        return try #require(runs.first)
    }

    /// Pids of processes working in `directory` whose command line contains `text` (other suites run jobs
    /// with the same commands at the same time: one of theirs once failed this suite's "no job is left").
    func processes(containing text: String, in directory: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard ProcessProbe.works(pid, in: directory) == true,
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }

    @Test func detachGivesThePromptBackAndTheRunGoesOnToBeAttachedAndRecorded() throws {
        guard let (tmux, env, scratch) = try setUp() else { return }
        defer {
            _ = FileManager.default.createFile(atPath: tmux.directory + "/gate", contents: nil)
            tmux.killAndRemoveDirectory()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let dashboard = try tmux.launchMetajob(["run", "p.yaml", "--linger", "2"])
        let failed = try tmux.waitFor("the flaky job to fail") { $0.contains("user_error #1") && $0.contains("running #1") }
        #expect(failed.ok, "\(failed.screen)")
        try tmux.press("q")
        let asked = try tmux.waitFor(text: "d  detach: the run goes on in the background")
        #expect(asked.ok, "quitting a going run offers detach:\n\(asked.screen)")
        try tmux.press("d")
        let back = try tmux.waitFor(text: "exit=0", timeout: 10)
        #expect(back.ok && back.screen.contains("Detached from run"), "the prompt comes back at once:\n\(back.screen)")
        #expect(kill(dashboard, 0) != 0, "the dashboard's process has exited")
        try tmux.expectShellUsable()
        // The jobs keep running without the dashboard, in a process of their own session.
        let run = try newestRun(env)
        let id = try #require(run["run_id"] as? String)
        #expect(run["state"] as? String == "running", "\(run)")
        let live = try BinaryRunner.run(["history", "list", "--live"], environment: env)
        #expect(live.stdout.contains(id), "the run is live:\n\(live.stdout)")
        // Attach from the same terminal: retry the flaky job, watch it turn green, detach again.
        _ = try tmux.launchMetajob(["attach", id])
        _ = try tmux.waitFor("the attached dashboard") { $0.contains("user_error #1") && $0.contains("running #1") }
        try tmux.press("R")
        try tmux.waitFor(text: "Runs again")
        try tmux.press("Enter")
        let retried = try tmux.waitFor("the retry to succeed") { $0.contains("succeeded #2") }
        #expect(retried.ok, "\(retried.screen)")
        try tmux.press("q")
        #expect(try tmux.waitFor(text: "exit=0", timeout: 10).ok)
        // The run ends; its end is recorded, and its process is gone once it stopped lingering (2 s).
        _ = FileManager.default.createFile(atPath: tmux.directory + "/gate", contents: nil)
        let ended = ProcessProbe.eventually(30) { (try? newestRun(env))?["state"] as? String == "succeeded" }
        #expect(ended, "the run's end is recorded: \((try? newestRun(env)) ?? [:])")
        #expect(ProcessProbe.eventually(20) { processes(containing: "p.yaml --linger 2 --no-tui", in: tmux.directory).isEmpty },
                "the background copy exits after lingering")
    }

    /// SIGKILL to the dashboard (no detach): its background copy notices the leash gone and stops the run, so
    /// no job is left running unwatched; the history says the run was cancelled.
    @Test func aKilledDashboardStopsItsRun() throws {
        guard let (tmux, env, scratch) = try setUp() else { return }
        defer {
            _ = FileManager.default.createFile(atPath: tmux.directory + "/gate", contents: nil)
            tmux.killAndRemoveDirectory()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let dashboard = try tmux.launchMetajob(["run", "p.yaml"])
        let shown = try tmux.waitFor("the slow job to run") { $0.contains("slow pid") || $0.contains("running #1") }
        #expect(shown.ok, "\(shown.screen)")
        #expect(ProcessProbe.eventually(20) { !processes(containing: "p.yaml --no-tui", in: tmux.directory).isEmpty })
        kill(dashboard, SIGKILL)
        let stopped = ProcessProbe.eventually(30) { (try? newestRun(env))?["state"] as? String == "cancelled" }
        #expect(stopped, "the run was stopped: \((try? newestRun(env)) ?? [:])")
        #expect(ProcessProbe.eventually(20) { processes(containing: "p.yaml --no-tui", in: tmux.directory).isEmpty }, "the background copy has exited")
        #expect(processes(containing: "while [ ! -f gate ]", in: tmux.directory).isEmpty, "no job is left running")
    }
}
