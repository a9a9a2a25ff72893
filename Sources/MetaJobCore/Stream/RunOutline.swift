/// The fixed facts of a run as a watcher sees them: who started what, and its jobs.
public struct RunOutline: Sendable, Equatable, Codable {
    public var runId: String
    public var metaJobName: String
    /// `<execution type>/<meta job name>`.
    public var startedBy: String
    /// The jobs, by index (the graph's order).
    public var jobs: [JobOutline]

    /// An outline; every field as named.
    public init(runId: String, metaJobName: String, startedBy: String, jobs: [JobOutline]) {
        self.runId = runId
        self.metaJobName = metaJobName
        self.startedBy = startedBy
        self.jobs = jobs
    }

    /// The dependency graph of the jobs.
    public var graph: JobGraph { JobGraph(names: jobs.map(\.name), dependsOn: jobs.map(\.dependsOn)) }
}
