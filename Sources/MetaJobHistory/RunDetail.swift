/// Everything the history knows about one run: what `metajob history show` prints.
public struct RunDetail: Sendable {
    public var summary: RunSummary
    public var startedBy: String
    /// The host and process that ran it (how a dead run is told from a live one).
    public var host: String
    public var pid: Int32
    public var workingDirectory: String
    public var commandLine: [String]
    public var definitionPath: String?
    public var definitionText: [UInt8]
    public var settingsJSON: String
    /// The jobs, in definition order.
    public var jobs: [JobHistory]

    /// A detail; every field as named.
    public init(summary: RunSummary, startedBy: String, host: String, pid: Int32, workingDirectory: String,
                commandLine: [String], definitionPath: String?, definitionText: [UInt8], settingsJSON: String,
                jobs: [JobHistory]) {
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
    }
}
