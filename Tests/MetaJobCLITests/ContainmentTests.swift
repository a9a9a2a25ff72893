import Foundation
import Testing

/// Nothing a job starts outlives its attempt, however it detaches (setsid, a double fork, setpgid, nohup) and
/// however the attempt ends: the job ends, is cancelled, times out, the run is stopped by SIGINT or SIGTERM,
/// metajob is killed with SIGKILL, or its whole process group is (as `timeout -s KILL` does).
@Suite("containment: nothing a job starts outlives its attempt",
       .enabled(if: EscapedProcesses.missingReason == nil, "\(EscapedProcesses.missingReason ?? "")"))
struct ContainmentTests {
    /// How the attempt that started the escapee ends.
    enum Ending: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case jobEnds, cancel, timeout, sigint, sigterm, killMetajob, killProcessGroup
        var testDescription: String { rawValue }
    }

    /// The meta job: `escaper` starts the escapee and waits until it runs, then ends (`jobEnds`) or sleeps.
    /// For `jobEnds`, a dependent job looks for the escapee before the run is over (the attempt, not the run,
    /// is the limit); for `cancel`, a second job fails once the escapee runs, cancelling `escaper`.
    func definition(_ technique: EscapeTechnique, _ ending: Ending, _ escaped: EscapedProcesses) -> String {
        let waitForEscapee = "while [ ! -e escaped ]; do sleep 0.05; done"
        var text = """
            max_concurrent_running_jobs: 4
            jobs:
              - job_name: escaper
                depends_on: []
                env:
                  \(escaped.environmentLine)
                command: |
                  \(technique.shellLines)
                  \(waitForEscapee)
                  \(ending == .jobEnds ? "echo escapee started" : "sleep 300")

            """
        switch ending {
        case .jobEnds:
            // Killing is asynchronous (SIGKILL, cgroup.kill): 2 s for the escapee to be gone, then it survived.
            text += """
                  - job_name: checker
                    depends_on: [escaper]
                    command: |
                      for i in $(seq 40); do
                        grep -qs '\(EscapedProcesses.variable)=\(escaped.token)' /proc/[0-9]*/environ || exit 0
                        sleep 0.05
                      done
                      echo the escapee outlived its job; exit 1

                """
        case .cancel:
            text += """
                  - job_name: failer
                    depends_on: []
                    command: |
                      \(waitForEscapee)
                      exit 1

                """
        case .timeout:
            text = text.replacingOccurrences(of: "    depends_on: []\n    env:", with: "    depends_on: []\n    timeout_seconds: 5\n    env:")
        default:
            break
        }
        return text
    }

    @Test(arguments: EscapeTechnique.allCases, Ending.allCases)
    func noEscapedProcessOutlivesItsAttempt(_ technique: EscapeTechnique, _ ending: Ending) throws {
        let escaped = EscapedProcesses()
        defer { escaped.killSurvivors() }
        let dir = try BinaryRunner.directory(["p.yaml": definition(technique, ending, escaped)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/out.txt", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out.txt"))
        var args = ["run", "p.yaml", "--no-tui", "--grace-period", "1", "--history", dir + "/history.sqlite"]
        if ending == .cancel { args += ["--on-failure", "cancel"] }
        let run = try MetajobInItsOwnSession.launch(args, in: dir, output: out)
        defer { run.killAll() }
        let output = { (try? String(contentsOfFile: dir + "/out.txt", encoding: .utf8)) ?? "" }

        let started = ProcessProbe.eventually { FileManager.default.fileExists(atPath: dir + "/escaped") }
        try #require(started, "the escapee never ran: \(output())")
        switch ending {
        case .sigint: kill(run.metajob, SIGINT)
        case .sigterm: kill(run.metajob, SIGTERM)
        case .killMetajob: kill(run.metajob, SIGKILL)
        case .killProcessGroup: kill(-run.metajob, SIGKILL)
        case .jobEnds, .cancel, .timeout: break
        }
        let expected: Int32? = switch ending {
        case .jobEnds: 0
        case .cancel, .timeout: 1
        case .sigint: 130
        case .sigterm: 143
        case .killMetajob, .killProcessGroup: nil
        }
        let code = run.waitForExit(seconds: 60)
        if let expected { #expect(code == expected, "\(output())") }

        // The grace period is 1 s; 20 s is only a margin for a busy machine.
        #expect(escaped.noneSurvive(within: 20), "survivors: \(escaped.describeSurvivors())\n\(output())")
    }
}

/// The watchdog killed on its own (its pid, not metajob's) is replaced: a new one, again in a session of its
/// own, takes over, and a later `kill -9` of metajob still takes every job process with it.
@Suite("containment: a killed watchdog is replaced",
       .enabled(if: EscapedProcesses.missingReason == nil, "\(EscapedProcesses.missingReason ?? "")"))
struct WatchdogRestartTests {
    /// metajob's child processes named `metajob-watch`.
    func watchdogs(of metajob: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            guard name.hasPrefix("metajob-watch"), let fields = ProcessProbe.stat(pid), fields.count > 1 else { return false }
            return fields[1] == Substring(String(metajob)) && ProcessProbe.isAlive(pid)
        }
    }

    @Test func aKilledWatchdogIsReplacedAndStillStopsTheJobs() throws {
        let escaped = EscapedProcesses()
        defer { escaped.killSurvivors() }
        let dir = try BinaryRunner.directory(["p.yaml": """
            jobs:
              - job_name: escaper
                depends_on: []
                env:
                  \(escaped.environmentLine)
                command: |
                  \(EscapeTechnique.setsid.shellLines)
                  sleep 300
            """])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--grace-period", "1",
                                               "--history", dir + "/history.sqlite"], in: dir)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let metajob = process.processIdentifier
        #expect(ProcessProbe.eventually { FileManager.default.fileExists(atPath: dir + "/escaped") }, "the escapee never ran")
        let first = try #require(watchdogs(of: metajob).first, "metajob has no watchdog")
        let session = ProcessProbe.stat(first).map { String($0[3]) }
        #expect(session == String(first), "the watchdog is not the leader of a session of its own")

        kill(first, SIGKILL)
        var second: pid_t = 0
        let replaced = ProcessProbe.eventually(20) {
            second = watchdogs(of: metajob).first { $0 != first } ?? 0
            return second > 0
        }
        #expect(replaced, "the killed watchdog was not replaced")
        #expect(process.isRunning, "the run ended when its watchdog was killed")

        kill(metajob, SIGKILL)
        process.waitUntilExit()
        #expect(escaped.noneSurvive(within: 20), "survivors: \(escaped.describeSurvivors())")
    }
}
