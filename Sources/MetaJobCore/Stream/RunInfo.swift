/// The fixed facts of a run: who, what, where.
public struct RunInfo: Sendable {
    public var runId: String
    public var metaJobName: String
    /// `<execution type>/<meta job name>`.
    public var startedBy: String
    /// The jobs as defined, by index (same order as the graph).
    public var jobs: [JobDefinition]

    public init(runId: String, metaJobName: String, startedBy: String, jobs: [JobDefinition]) {
        self.runId = runId
        self.metaJobName = metaJobName
        self.startedBy = startedBy
        self.jobs = jobs
    }
}
