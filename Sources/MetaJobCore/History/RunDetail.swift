/// Everything the history knows about one run: what `metajob history show` prints.
public struct RunDetail: Sendable {
    /// What `list` shows for this run.
    public var summary: RunSummary
    /// `<execution type>/<meta job name>`.
    public var startedBy: String
    /// The host and process that ran it (how a dead run is told from a live one).
    public var host: String
    /// The recording process's id on `host`.
    public var pid: Int32
    /// The directory metajob was started in.
    public var workingDirectory: String
    /// metajob's own argv.
    public var commandLine: [String]
    /// The definition file, if any.
    public var definitionPath: String?
    /// The definition file's bytes as they were when the run started.
    public var definitionText: [UInt8]
    /// The resolved settings as JSON text.
    public var settingsJSON: String
    /// The jobs, in definition order.
    public var jobs: [JobHistory]
    /// What the recorder could not write (output dropped while the disk was full, say), one sentence each.
    public var recordingGaps: [String]

    /// A detail; every field as named.
    public init(summary: RunSummary, startedBy: String, host: String, pid: Int32, workingDirectory: String,
                commandLine: [String], definitionPath: String?, definitionText: [UInt8], settingsJSON: String,
                jobs: [JobHistory], recordingGaps: [String] = []) {
        self.summary = summary
        self.startedBy = startedBy
        self.host = host
        self.pid = pid
        self.workingDirectory = workingDirectory
        self.commandLine = commandLine
        self.definitionPath = definitionPath
        self.definitionText = definitionText
        self.settingsJSON = settingsJSON
        self.jobs = jobs
        self.recordingGaps = recordingGaps
    }
}
