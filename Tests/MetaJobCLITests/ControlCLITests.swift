import Foundation
import Testing

/// The control verbs against a real headless run of the built binary: `retry`, `pause`/`unpause`,
/// `concurrency`, `cancel`, `stop`, and `history list --live`, with their exit codes and messages.
@Suite("control verbs (CLI)", .serialized)
struct ControlCLITests {
    /// `flaky` fails the first time; `slow` keeps the run going until the file `gate` exists (20 s at most).
    let pipeline = """
    jobs:
      - job_name: flaky
        depends_on: []
        command: if [ -f marker ]; then echo second; exit 0; fi; touch marker; exit 3
      - job_name: slow
        depends_on: []
        command: i=0; while [ ! -f gate ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
      - job_name: last
        depends_on: [flaky, slow]
        command: echo done
    """

    /// A directory with the pipeline, its own history and its own runtime directory (for the socket).
    func setUp() throws -> (dir: String, env: [String: String]) {
        let dir = try BinaryRunner.directory(["p.yaml": pipeline])
        mkdir(dir + "/runtime", 0o700)
        return (dir, ["METAJOB_HISTORY": dir + "/h.sqlite", "XDG_RUNTIME_DIR": dir + "/runtime"])
    }

    func metajob(_ args: [String], _ dir: String, _ env: [String: String]) throws -> BinaryRunner.Result {
        try BinaryRunner.run(args, in: dir, environment: env)
    }

    /// The id of the one live run, polled for up to 10 s.
    func liveRun(_ dir: String, _ env: [String: String]) throws -> String? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let list = try metajob(["history", "list", "--live", "--json"], dir, env)
            if let runs = try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]],
               let id = runs.first?["run_id"] as? String, runs.first?["control_socket"] is String {
                return id
            }
            usleep(50_000)
        }
        return nil
    }

    /// Runs `args` until it exits 0 (at most 10 s); returns the last result.
    func untilAccepted(_ args: [String], _ dir: String, _ env: [String: String]) throws -> BinaryRunner.Result {
        let deadline = Date().addingTimeInterval(10)
        var result = try metajob(args, dir, env)
        while result.exitCode != 0 && Date() < deadline {
            usleep(50_000)
            result = try metajob(args, dir, env)
        }
        return result
    }

    @Test func controlVerbsSteerALiveRunAndExplainRefusals() throws {
        let (dir, env) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try BinaryRunner.launch(["run", "p.yaml", "--no-tui"], in: dir, environment: env)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        let id = try #require(try liveRun(dir, env), "the run shows in history list --live")
        let prefix = String(id.prefix(id.count - 2))

        let retried = try untilAccepted(["retry", prefix, "flaky"], dir, env)
        #expect(retried.exitCode == 0 && retried.stdout == "\(id): retrying flaky\n", "\(retried.stderr)")
        let busy = try metajob(["retry", id, "slow"], dir, env)
        #expect(busy.exitCode == 1 && busy.stderr.contains("slow is running: only a failed, cancelled or not-run job can be retried"), "\(busy.stderr)")
        #expect(try metajob(["pause", id], dir, env).exitCode == 0)
        let again = try metajob(["pause", id], dir, env)
        #expect(again.exitCode == 1 && again.stderr.contains("already paused"))
        #expect(try metajob(["unpause", id], dir, env).exitCode == 0)
        let limit = try metajob(["set-concurrency", id, "3"], dir, env)
        #expect(limit.exitCode == 0 && limit.stdout.contains("at most 3 jobs at once"), "\(limit.stderr)")
        let noJob = try metajob(["cancel", id, "nope"], dir, env)
        #expect(noJob.exitCode == 2 && noJob.stderr.contains("has no job nope. Its jobs: flaky, slow, last"), "\(noJob.stderr)")
        let noRun = try metajob(["pause", "zzz"], dir, env)
        #expect(noRun.exitCode == 2 && !noRun.stderr.isEmpty)

        _ = FileManager.default.createFile(atPath: dir + "/gate", contents: nil)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "the retried job succeeded, so did the run")
        let ended = try metajob(["retry", id], dir, env)
        #expect(ended.exitCode == 2 && ended.stderr.contains("has ended (succeeded)"), "\(ended.stderr)")
        let show = try metajob(["history", "show", id], dir, env)
        #expect(show.stdout.contains("retry flaky by \(NSUserName()) (cli)"), "who retried is recorded:\n\(show.stdout)")
        #expect(show.stdout.contains("pause by") && show.stdout.contains("refused, the run is already paused"), "\(show.stdout)")
        let live = try metajob(["history", "list", "--live"], dir, env)
        #expect(live.exitCode == 0 && !live.stdout.contains(id))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir + "/runtime/metajob")) == [], "the socket is removed")
    }

    @Test func stopEndsALiveRunAsCtrlCWould() throws {
        let (dir, env) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try BinaryRunner.launch(["run", "p.yaml", "--no-tui"], in: dir, environment: env)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        let id = try #require(try liveRun(dir, env))
        let stopped = try metajob(["stop", id, "--now"], dir, env)
        #expect(stopped.exitCode == 0 && stopped.stdout.contains("stopping now"), "\(stopped.stderr)")
        run.waitUntilExit()
        #expect(run.terminationStatus == 130)
        let show = try metajob(["history", "show", id, "--json"], dir, env)
        #expect(show.stdout.contains("\"state\":\"cancelled\""), "\(show.stdout)")
    }

    @Test func aKilledRunsSocketIsStaleAndRemoved() throws {
        let (dir, env) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try BinaryRunner.launch(["run", "p.yaml", "--no-tui"], in: dir, environment: env)
        let id = try #require(try liveRun(dir, env))
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        let sockets = try FileManager.default.contentsOfDirectory(atPath: dir + "/runtime/metajob")
        #expect(sockets == ["\(id).sock"], "a killed run leaves its socket behind")
        let paused = try metajob(["pause", id], dir, env)
        #expect(paused.exitCode == 2, "\(paused.stderr)")
        #expect(paused.stderr.contains("has ended (interrupted)") || paused.stderr.contains("cannot be reached"), "\(paused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/runtime/metajob") == [], "the stale socket was removed")
        _ = FileManager.default.createFile(atPath: dir + "/gate", contents: nil)
        // The killed run's jobs saw no SIGTERM; let them see the gate and end.
        usleep(200_000)
    }
}

/// `metajob run --detach`: the run goes on in its own session without a terminal, and lingers after its end.
@Suite("run --detach (CLI)", .serialized)
struct DetachCLITests {
    let pipeline = """
    name: detached
    jobs:
      - job_name: flaky
        depends_on: []
        command: if [ -f marker ]; then exit 0; fi; touch marker; exit 3
    """

    @Test func aDetachedRunStartsInItsOwnSessionAndLingersForARetry() throws {
        let dir = try BinaryRunner.directory(["p.yaml": pipeline, "bad.yaml": "jobs: [{job_name: a, depends_on: [x]}]\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        mkdir(dir + "/runtime", 0o700)
        let env = ["METAJOB_HISTORY": dir + "/h.sqlite", "XDG_RUNTIME_DIR": dir + "/runtime"]
        let bad = try BinaryRunner.run(["run", "--detach", "bad.yaml"], in: dir, environment: env)
        #expect(bad.exitCode == 2 && bad.stderr.contains("nothing was started"), "\(bad.stderr)")

        let started = try BinaryRunner.run(["run", "--detach", "--linger", "2", "p.yaml"], in: dir, environment: env)
        #expect(started.exitCode == 0, "\(started.stderr)")
        let id = try #require(started.stdout.split(separator: "\n").first?.split(separator: " ").dropFirst(2).first.map(String.init),
                              "\(started.stdout)")
        #expect(started.stdout.contains("metajob attach \(id)"))
        #expect(started.stderr == "", "no warning: \(started.stderr)")
        let show = try BinaryRunner.run(["history", "show", id, "--json"], in: dir, environment: env)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let pid = try #require(json["pid"] as? Int)
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let fields = stat.split(separator: ")").last?.split(separator: " ") {
            #expect(fields.count > 4 && fields[3] == "\(pid)", "the detached run leads its own session: \(stat)")
            let stdin = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0")
            #expect(stdin == "/dev/null", "stdin of the detached run: \(stdin ?? "unreadable")")
        }
        // The flaky job fails and the run ends, yet it lingers: the retry reaches the same run.
        let deadline = Date().addingTimeInterval(10)
        var retried = try BinaryRunner.run(["retry", id], in: dir, environment: env)
        while retried.exitCode != 0 && Date() < deadline {
            usleep(50_000)
            retried = try BinaryRunner.run(["retry", id], in: dir, environment: env)
        }
        #expect(retried.exitCode == 0, "\(retried.stderr)")
        var state = ""
        while Date() < deadline {
            let list = try BinaryRunner.run(["history", "list", "--json"], in: dir, environment: env).stdout
            state = ((try? JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])?.first?["state"] as? String) ?? ""
            if state == "succeeded" { break }
            usleep(50_000)
        }
        #expect(state == "succeeded", "the retried run is recorded as succeeded")
        // After the linger the process exits and its socket is gone.
        var gone = false
        while Date() < deadline.addingTimeInterval(10) && !gone {
            gone = kill(pid_t(pid), 0) != 0 && ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/runtime/metajob")) ?? []).isEmpty
            if !gone { usleep(50_000) }
        }
        #expect(gone, "the detached run exits once it lingered")
        #expect(try BinaryRunner.run(["retry", id], in: dir, environment: env).exitCode == 2)
    }
}
