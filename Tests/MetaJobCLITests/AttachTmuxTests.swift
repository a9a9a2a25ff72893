import Foundation
import Testing

/// `metajob attach` end to end in a real terminal (tmux): a run started in the background as cron would, the
/// dashboard attached to it from another process, retried with `R`, detached with `q`; and a runner killed
/// while a dashboard is attached.
@Suite("attach (tmux)", .serialized)
struct AttachTmuxTests {
    /// `flaky` fails the first time; `slow` keeps the run going until the file `gate` exists (30 s at most).
    let pipeline = """
    name: attached
    jobs:
      - job_name: flaky
        depends_on: []
        command: if [ -f marker ]; then exit 0; fi; touch marker; exit 3
      - job_name: slow
        depends_on: []
        command: i=0; while [ ! -f gate ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
    """

    /// Starts `metajob run p.yaml` in `dir` as cron would: stdin /dev/null, output to a file (no terminal).
    func background(_ dir: String, _ env: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = BinaryRunner.binary
        process.arguments = ["run", "p.yaml"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.environment = BinaryRunner.testEnvironment(adding: env)
        process.standardInput = FileHandle.nullDevice
        let log = dir + "/background.out"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput
        try process.run()
        return process
    }

    /// The terminal, and the history and runtime directory shared by the background run and the dashboard
    /// (in `scratch`, removed at the end).
    func setUp() throws -> (tmux: DashboardTmux, env: [String: String], scratch: String)? {
        if let missing = DashboardTmux.missingReason {
            print("SKIPPED attach tmux tests: \(missing)")
            return nil
        }
        let scratch = try BinaryRunner.directory(["p.yaml": pipeline])
        mkdir(scratch + "/runtime", 0o700)
        let env = ["METAJOB_HISTORY": scratch + "/h.sqlite", "XDG_RUNTIME_DIR": scratch + "/runtime"]
        let tmux = try DashboardTmux(environment: env)
        try pipeline.write(toFile: tmux.directory + "/p.yaml", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: scratch + "/p.yaml")
        return (tmux, env, scratch)
    }

    /// Waits (on `tmux`'s clock) until `history list --live` shows the background run.
    func waitUntilLive(_ tmux: DashboardTmux, _ env: [String: String]) throws {
        _ = try tmux.waitFor("the run to be live") { _ in
            (try? BinaryRunner.run(["history", "list", "--live"], environment: env).stdout.contains("attached")) == true
        }
    }

    /// The id of the newest run in the history.
    func newestRun(_ env: [String: String]) throws -> String {
        let list = try BinaryRunner.run(["history", "list", "--json"], environment: env)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        return try #require(runs.first?["run_id"] as? String)
    }

    @Test func attachRetriesAFlakyJobOfABackgroundRunAndDetaches() throws {
        guard let (tmux, env, scratch) = try setUp() else { return }
        defer {
            tmux.killAndRemoveDirectory()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let run = try background(tmux.directory, env)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        try waitUntilLive(tmux, env)
        _ = try tmux.launchMetajob(["attach"])
        let failed = try tmux.waitFor("the flaky job to fail") { $0.contains("user_error #1") && $0.contains("running #1") }
        #expect(failed.ok, "the attached dashboard shows the run live:\n\(failed.screen)")
        // R previews the retry (foresight), Enter sends it to the other process.
        try tmux.press("R")
        try tmux.waitFor(text: "Runs again")
        try tmux.press("Enter")
        let retried = try tmux.waitFor("the retry to succeed") { $0.contains("succeeded #2") }
        #expect(retried.ok, "R retried the failed job in the other process:\n\(retried.screen)")
        try tmux.press("q")
        let detached = try tmux.waitFor(text: "exit=0", timeout: 10)
        #expect(detached.screen.contains("Detached from run"), "\(detached.screen)")
        #expect(run.isRunning, "detaching leaves the run going")
        _ = FileManager.default.createFile(atPath: tmux.directory + "/gate", contents: nil)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "the background run ends succeeded")
        let show = try BinaryRunner.run(["history", "show", "--json", try newestRun(env)], environment: env)
        let text = try BinaryRunner.run(["history", "show", try newestRun(env)], environment: env).stdout
        #expect(text.contains("retry every failed job by \(NSUserName()) (dashboard)"), "who retried is recorded:\n\(text)")
        #expect(show.stdout.contains("\"job\":\"flaky\",\"state\":\"succeeded\",\"attempts\":2"), "\(show.stdout)")
    }

    @Test func aKilledRunnerLeavesTheAttachedDashboardUsable() throws {
        guard let (tmux, env, scratch) = try setUp() else { return }
        defer {
            tmux.killAndRemoveDirectory()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let run = try background(tmux.directory, env)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        try waitUntilLive(tmux, env)
        _ = try tmux.launchMetajob(["attach"])
        _ = try tmux.waitFor("the dashboard") { $0.contains("running #1") }
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        let gone = try tmux.waitFor("the dashboard to say the run is gone", timeout: 3) { $0.contains("the run is gone") }
        #expect(gone.ok, "\(gone.screen)")
        try tmux.press("q")
        #expect(try tmux.waitFor(text: "exit=0", timeout: 10).ok, "q still leaves")
        _ = FileManager.default.createFile(atPath: tmux.directory + "/gate", contents: nil)
    }

    @Test func theBrowserOpensALiveRunAttached() throws {
        guard let (tmux, env, scratch) = try setUp() else { return }
        defer {
            tmux.killAndRemoveDirectory()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let run = try background(tmux.directory, env)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        try waitUntilLive(tmux, env)
        let id = try newestRun(env)
        _ = try tmux.launchMetajob(["browse"])
        _ = try tmux.waitFor("the run in the browser") { $0.contains(id) }
        try tmux.press("Enter")
        let attached = try tmux.waitFor("the run opened attached") { $0.contains("attached to live run") }
        #expect(attached.ok)
        try tmux.press("p")
        var refused = try BinaryRunner.run(["pause", id], environment: env)
        let deadline = Date().addingTimeInterval(10)
        while !refused.stderr.contains("already paused") && Date() < deadline {
            usleep(100_000)
            refused = try BinaryRunner.run(["pause", id], environment: env)
        }
        #expect(refused.stderr.contains("already paused"), "p in the browser's attached run paused the other process's run: \(refused.stderr)")
        #expect(try BinaryRunner.run(["unpause", id], environment: env).exitCode == 0)
        try tmux.press("q")
        try? tmux.press("q")
        #expect(try tmux.waitFor(text: "exit=0", timeout: 10).ok)
        #expect(run.isRunning, "leaving the browser left the run going")
        _ = FileManager.default.createFile(atPath: tmux.directory + "/gate", contents: nil)
        run.waitUntilExit()
        #expect(run.terminationStatus == 1, "flaky was never retried: the run fails")
    }

    @Test func twoDashboardsShareARunAndTheCLIRetriesWhileOneWatches() throws {
        guard let (first, env, scratch) = try setUp() else { return }
        let second = try DashboardTmux(environment: env)
        defer {
            first.killAndRemoveDirectory()
            second.killAndRemoveDirectory()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let run = try background(first.directory, env)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        try waitUntilLive(first, env)
        let id = try newestRun(env)
        _ = try first.launchMetajob(["attach", id])
        _ = try second.launchMetajob(["attach", String(id.prefix(17))])
        for tmux in [first, second] { _ = try tmux.waitFor("the flaky job failed") { $0.contains("user_error #1") } }
        // One pauses: both show it.
        try first.press("p")
        for tmux in [first, second] {
            #expect(try tmux.waitFor("paused on both") { $0.uppercased().contains("PAUSED") }.ok)
        }
        try second.press("p")
        // One detaches; the run goes on and the other still watches: the CLI retries, the watcher sees it succeed.
        try first.press("q")
        #expect(try first.waitFor(text: "exit=0", timeout: 10).ok)
        let retried = try BinaryRunner.run(["retry", id, "flaky"], environment: env)
        #expect(retried.exitCode == 0, "\(retried.stderr)")
        #expect(try second.waitFor("the watcher sees the retry succeed") { $0.contains("succeeded #2") }.ok)
        _ = FileManager.default.createFile(atPath: first.directory + "/gate", contents: nil)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0)
        #expect(try second.waitFor("the watcher sees the run end") { $0.contains("SUCCEEDED") }.ok)
        try second.press("q")
        #expect(try second.waitFor(text: "exit=0", timeout: 10).ok)
    }
}
