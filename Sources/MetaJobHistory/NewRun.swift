/// The fixed facts of a run as the history records them when it starts.
public struct NewRun: Sendable {
    /// The run id (`RunID.make`), unique in the history.
    public var runId: String
    /// The meta job's name.
    public var metaJob: String
    /// Wall time the run started, seconds since 1970.
    public var startedAt: Double
    /// `<execution type>/<meta job name>`.
    public var startedBy: String
    /// The directory metajob was started in.
    public var workingDirectory: String
    /// metajob's own argv, so `history show` can say how to run it again.
    public var commandLine: [String]
    /// The definition file, if the run came from one (the demo has none).
    public var definitionPath: String?
    /// The definition file's bytes as read, so the run can be understood after the file changed.
    public var definitionText: [UInt8]
    /// The resolved settings as JSON text.
    public var settingsJSON: String
    /// The run this one resumes, if any: the history locks it for this run (see `HistoryStore.claimResume`).
    public var resumedFrom: String?
    /// Resume `resumedFrom` even though another run resumed it before (never while that one is going).
    public var resumeAnyway = false
    /// The jobs, in definition (graph) order.
    public var jobs: [NewRunJob]
    /// The Unix socket the run serves its connection on (nil when it serves none).
    public var controlSocket: String?

    /// A run description; every field as named.
    public init(runId: String, metaJob: String, startedAt: Double, startedBy: String, workingDirectory: String,
                commandLine: [String], definitionPath: String?, definitionText: [UInt8], settingsJSON: String,
                resumedFrom: String? = nil, jobs: [NewRunJob]) {
        self.runId = runId
        self.metaJob = metaJob
        self.startedAt = startedAt
        self.startedBy = startedBy
        self.workingDirectory = workingDirectory
        self.commandLine = commandLine
        self.definitionPath = definitionPath
        self.definitionText = definitionText
        self.settingsJSON = settingsJSON
        self.resumedFrom = resumedFrom
        self.jobs = jobs
    }
}
