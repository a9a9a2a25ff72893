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
    func noEscapedProcessOutlivesItsAttempt(_ technique: EscapeTechnique, _ ending: Ending) async throws {
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

        let started = await ProcessProbe.eventually { FileManager.default.fileExists(atPath: dir + "/escaped") }
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
        let code = await run.waitForExit(seconds: 60)
        if let expected { #expect(code == expected, "\(output())") }

        // The grace period is 1 s; 20 s is only a margin for a busy machine.
        let noneSurvive = await escaped.noneSurvive(within: 20)
        #expect(noneSurvive, "survivors: \(escaped.describeSurvivors())\n\(output())")
    }
}
