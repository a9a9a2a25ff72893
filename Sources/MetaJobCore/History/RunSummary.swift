/// One line of `metajob history list`.
public struct RunSummary: Sendable, Equatable {
    /// The run id (`20261124-153012-a3f9`).
    public var runId: String
    /// The meta job's name.
    public var metaJob: String
    /// Its state; `interrupted` for a run stored as running whose process is gone.
    public var state: StoredRunState
    /// Seconds since 1970.
    public var startedAt: Double
    /// Seconds since 1970; nil while running (or when the process died).
    public var endedAt: Double?
    /// Jobs by their last known status (`succeeded` → 8, `user_error` → 1, …).
    public var jobCounts: [String: Int]
    /// The run this one resumed, if any.
    public var resumedFrom: String?
    /// The newest run that resumed this one, if any (while that run is going, it holds this run's resume lock).
    public var resumedBy: String?
    /// The Unix socket the run serves its connection on, when it was started on this host (a live run can be
    /// attached and controlled through it; the socket of a run that ended is gone).
    public var controlSocket: String?

    /// A summary; every field as named.
    public init(runId: String, metaJob: String, state: StoredRunState, startedAt: Double, endedAt: Double?,
                jobCounts: [String: Int], resumedFrom: String?, resumedBy: String? = nil, controlSocket: String? = nil) {
        self.controlSocket = controlSocket
        self.runId = runId
        self.metaJob = metaJob
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.jobCounts = jobCounts
        self.resumedFrom = resumedFrom
        self.resumedBy = resumedBy
    }
}
