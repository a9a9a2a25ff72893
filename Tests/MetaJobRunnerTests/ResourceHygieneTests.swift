import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner
import MetaJobTestSupport

/// A 1,000-job run with retries, cancels and jobs that leave children behind, in this process: at the end
/// no descriptor of any job is still open here and no process of any job is alive.
@Suite("resource hygiene", .serialized)
struct ResourceHygieneTests {
    /// Every job reports its group and its output pipes, so the test can look for exactly those afterwards.
    static let identify = #"echo "pgid=$$ out=$(readlink /proc/$$/fd/1) err=$(readlink /proc/$$/fd/2)""#

    /// What /proc/self/fd holds now: fd number → link target.
    static func openDescriptors() -> [Int: String] {
        var result: [Int: String] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            guard let fd = Int(entry), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)") else { continue }
            result[fd] = target
        }
        return result
    }

    /// The pid a pidfd refers to (from /proc/self/fdinfo), if `fd` is one.
    static func pidfdTarget(_ fd: Int) -> pid_t? {
        guard let info = try? String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8) else { return nil }
        for line in info.split(separator: "\n") where line.hasPrefix("Pid:") {
            return pid_t(line.dropFirst(4).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Live (non-zombie) processes whose process group is one of `groups`.
    static func liveProcesses(inGroups groups: Set<pid_t>) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { return false }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let group = pid_t(fields[2]) else { return false }
            return groups.contains(group) && fields[0] != "Z" && fields[0] != "X"
        }
    }

    @Test func thousandJobsWithRetriesAndCancelsLeaveNothingBehind() throws {
        var jobs: [JobDefinition] = []
        // 50 jobs that would run for 30 s with a child, cancelled once running (they do not fail the run).
        for i in 0..<50 {
            var job = TestRun.job("cancel-\(i)", [], Self.identify + "; sleep 30 & wait", failDag: false)
            job.failDagOnError = false
            jobs.append(job)
        }
        // 100 flaky jobs: the first attempt fails, the retry succeeds.
        for i in 0..<100 {
            jobs.append(TestRun.job("flaky-\(i)", [], Self.identify + #"; [ "$METAJOB_ATTEMPT" -ge 2 ]"#, retries: 1, retryDelay: 0.01))
        }
        // 100 jobs whose main process exits leaving a background child in its group.
        for i in 0..<100 {
            jobs.append(TestRun.job("leaver-\(i)", [], Self.identify + "; sleep 30 > /dev/null 2>&1 &"))
        }
        // 750 plain jobs in chains of 10, writing to both streams.
        for i in 0..<750 {
            let deps = i % 10 == 0 ? [] : ["plain-\(i - 1)"]
            jobs.append(TestRun.job("plain-\(i)", deps, Self.identify + "; echo to-stderr-\(i) >&2"))
        }
        #expect(jobs.count == 1_000)

        var groups = Set<pid_t>()
        var pipes = Set<String>()
        do {
            let (runner, rec) = TestRun.make(jobs, settings: RunSettings(maxConcurrentRunningJobs: 64, terminationGraceSeconds: 0.5))
            runner.start()
            var cancelled = Set<Int>()
            let deadline = Date().addingTimeInterval(300)
            while rec.outcome == nil && Date() < deadline {
                for j in 0..<50 where !cancelled.contains(j) && !rec.lines("cancel-\(j)").isEmpty {
                    runner.send(.cancel(job: j))
                    cancelled.insert(j)
                }
                usleep(20_000)
            }
            #expect(rec.waitForFinish(seconds: 60))
            #expect(cancelled.count == 50)
            let final = runner.snapshot()
            let states = Dictionary(grouping: final.jobs.indices, by: { final.jobs[$0].state })
            #expect(states[.cancelled]?.count == 50)
            #expect(states[.succeeded]?.count == 950)
            #expect((50..<150).allSatisfy { final.jobs[$0].attempt == 2 }, "each flaky job ran twice")
            #expect(rec.outcome == .succeeded)

            for job in jobs {
                for line in rec.lines(job.name) {
                    for field in line.split(separator: " ") {
                        if field.hasPrefix("pgid="), let pgid = pid_t(field.dropFirst(5)) { groups.insert(pgid) }
                        if field.hasPrefix("out=") || field.hasPrefix("err=") { pipes.insert(String(field.dropFirst(4))) }
                    }
                }
            }
        }
        // 1,000 jobs + 100 retries, each its own group and its own two pipes.
        #expect(groups.count == 1_100)
        #expect(pipes.count == 2_200)

        let alive = Self.liveProcesses(inGroups: groups)
        #expect(alive.isEmpty, "processes of finished jobs still alive: \(alive.prefix(10))")

        let after = Self.openDescriptors()
        let leakedPipes = after.filter { pipes.contains($0.value) }
        #expect(leakedPipes.isEmpty, "job pipes still open here: \(leakedPipes.prefix(10))")
        let leakedPidfds = after.keys.filter { fd in Self.pidfdTarget(fd).map { groups.contains($0) } ?? false }
        #expect(leakedPidfds.isEmpty, "pidfds of job processes still open: \(leakedPidfds.prefix(10))")
        // The executor's own epoll instance and eventfd are not counted here: other suites in this process
        // (URLSession, the loopback HTTP server, libdispatch) open descriptors of the same kinds at any moment,
        // so a count is not evidence. Pipes and pidfds above are compared by identity.
    }
}
