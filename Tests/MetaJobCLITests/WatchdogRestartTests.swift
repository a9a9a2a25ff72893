import Foundation
import Testing

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
