import Foundation
import MetaJobCore
import Testing

/// A spawn storm killed at a random moment: 200 rounds of a 120-job run whose jobs escape (setsid) and sleep,
/// with `kill -9` of metajob within its first 300 ms. Every job is registered (watchdog slot and cgroup)
/// before it can run, so no round leaves a survivor. The seed is printed; `METAJOB_STRESS_SEED` replays it.
@Suite("containment under a spawn storm",
       .enabled(if: EscapedProcesses.missingReason == nil, "\(EscapedProcesses.missingReason ?? "")"))
struct ContainmentStressTests {
    static let rounds = 200
    static let jobs = 120

    func definition(_ escaped: EscapedProcesses) -> String {
        var text = "max_concurrent_running_jobs: \(Self.jobs)\njobs:\n"
        for index in 0..<Self.jobs {
            // Half escape into a session of their own and end at once, half stay and sleep: both must die.
            let command = index % 2 == 0 ? "[setsid, -f, sleep, '300']" : "[sleep, '300']"
            text += "  - {job_name: j\(index), depends_on: [], command: \(command), env: {\(escaped.environmentLine)}}\n"
        }
        return text
    }

    @Test func noSurvivorAfterAKillAtARandomMomentOfAStorm() throws {
        let seed = ProcessInfo.processInfo.environment["METAJOB_STRESS_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 1...UInt64.max)
        print("ContainmentStressTests seed: \(seed) (METAJOB_STRESS_SEED=\(seed) replays it)")
        var random = SplitMix64(seed: seed)
        let escaped = EscapedProcesses()
        defer { escaped.killSurvivors() }
        let dir = try BinaryRunner.directory(["p.yaml": definition(escaped)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var failures: [String] = []
        for round in 1...Self.rounds {
            let delay = UInt32.random(in: 0..<300_000, using: &random)
            let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--no-history", "--grace-period", "0"], in: dir)
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if !escaped.noneSurvive(within: 20) {
                failures.append("round \(round) (kill after \(delay / 1000) ms): \(escaped.describeSurvivors())")
                escaped.killSurvivors()
                if failures.count >= 3 { break }
            }
        }
        #expect(failures.isEmpty, "seed \(seed): \(failures.joined(separator: "\n"))")
    }
}
