/// Which jobs a resumed run reuses and which it runs: pure planning from the definition and the earlier run.
public struct ResumePlan: Sendable, Equatable {
    /// A reason the plan cannot be made, worded for the user.
    public struct Problem: Error, Equatable {
        /// The sentence for the user.
        public var message: String
    }

    /// Jobs that count as succeeded, by name → the run they succeeded in.
    public var reused: [String: String] = [:]
    /// Jobs that run, in definition order.
    public var toRun: [String] = []
    /// Jobs to run whose execution was still going when `previous` was interrupted (not final, with an
    /// execution id), by name → that id: the remote executor re-attaches them instead of starting them again.
    public var adopt: [String: String] = [:]

    /// Jobs that did not succeed in `previous` run; so do the `rerun` jobs and everything downstream of them.
    /// The rest succeeded and are reused (from the run they first succeeded in).
    public init(definition: MetaJobDefinition, previous: RunDetail, rerun: [String]) throws {
        let graph = JobGraph(definition)
        var previousJobs: [String: JobHistory] = [:]
        for job in previous.jobs { previousJobs[job.name] = job }
        var runs = Set<Int>()
        var unknown: [String] = []
        var named: [Int] = []
        for name in rerun {
            if let j = graph.index[name] { named.append(j) } else { unknown.append(name) }
        }
        guard unknown.isEmpty else {
            throw Problem(message: "run \(previous.summary.runId) has no job named \(unknown.joined(separator: ", ")). Its jobs: \(graph.names.prefix(20).joined(separator: ", "))\(graph.count > 20 ? ", …" : "").")
        }
        runs.formUnion(named)
        runs.formUnion(graph.downstream(of: named))
        for (j, name) in graph.names.enumerated() {
            guard let old = previousJobs[name], old.state == JobState.succeeded.rawValue else {
                runs.insert(j)  // failed, cancelled, interrupted, not_run — or new in the snapshot
                continue
            }
            if !runs.contains(j) { reused[name] = old.reusedFrom ?? previous.summary.runId }
        }
        toRun = graph.names.enumerated().filter { runs.contains($0.offset) }.map(\.element)
        for name in toRun {
            guard let old = previousJobs[name], let id = old.executionId, !id.isEmpty,
                  let state = JobState(rawValue: old.state), !state.isFinal else { continue }
            adopt[name] = id
        }
    }
}
