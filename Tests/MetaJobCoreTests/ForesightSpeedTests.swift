import Dispatch
import Testing
@testable import MetaJobCore

/// The speed shape (10,000 jobs: 100 levels × 100, 2 dependencies each, concurrency 2), checked for
/// consistency. It prints how long a recomputation took and asserts no duration: speed is measured in release
/// (`swift test -c release --filter ForesightSpeed`), never enforced by a test.
@Suite("Foresight: a 10,000-job schedule")
struct ForesightSpeedTests {
    @Test func tenThousandJobs() throws {
        var random = SplitMix64(seed: 0x5EED)
        let levels = 100, width = 100
        var names: [String] = [], deps: [[String]] = []
        for l in 0..<levels {
            for i in 0..<width {
                names.append("j\(l)_\(i)")
                deps.append(l == 0 ? [] : ["j\(l - 1)_\(i)", "j\(l - 1)_\((i + 1 + Int(random.next() % 98)) % width)"])
            }
        }
        let graph = JobGraph(names: names, dependsOn: deps)
        #expect(graph.edgeCount == 2 * width * (levels - 1))
        let jobs = names.indices.map { _ in
            ForesightJob(state: .pending, estimate: DurationEstimate(samples: (0..<20).map { _ in 1 + Double(random.next() % 100_000) / 1000 }))
        }
        var best = Double.infinity
        var schedule: ForesightSchedule?
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            schedule = ForesightSchedule(graph: graph, jobs: jobs, concurrency: 2, now: 0)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let s = try #require(schedule)
        print("ForesightSpeed: ETA + critical path for \(graph.count) jobs, concurrency 2: best of 5 \(best) ms")
        #expect(s.jobsLeft == graph.count && s.precision == .expected)
        // Two slots: the total work splits over them, so the end is at least half of it.
        let work = jobs.reduce(0) { $0 + $1.estimate!.median }
        #expect(s.end >= work / 2 - 1e-6)
        // Never more than two jobs at once, and every job after its dependencies.
        var edges = s.spans.flatMap { span in [(span!.start, 1), (span!.end, -1)] }
        edges.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var running = 0, peak = 0
        for (_, delta) in edges { running += delta; peak = max(peak, running) }
        #expect(peak <= 2)
        for j in 0..<graph.count {
            for d in graph.dependencies[j] { #expect(s.spans[d]!.end <= s.spans[j]!.start) }
        }
        let path = s.criticalPath
        #expect(s.spans[path.last!]!.end == s.end && s.spans[path.first!]!.start == 0)
        #expect(zip(path, path.dropFirst()).allSatisfy { s.spans[$0]!.end == s.spans[$1]!.start })
    }
}
