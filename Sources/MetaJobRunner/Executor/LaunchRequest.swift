import MetaJobCore

/// Everything an executor needs to start one attempt of a job.
public struct LaunchRequest: Sendable {
    public var key: AttemptKey
    public var jobName: String
    public var teamName: String?
    /// The argv to spawn (a shell command is already `/bin/sh -c …`).
    public var argv: [String]
    /// Absolute working directory.
    public var workingDirectory: String
    /// Variables added to the executor's base environment (they win over it).
    public var environment: [String: String]
    /// Set for a VDK data job directory run as `vdk run`: where the run summary is written.
    public var vdkSummaryPath: String?
    /// The job's arguments, for executors that pass them themselves (remote).
    public var arguments: JSONValue?
    /// `<execution type>/<meta job name>`.
    public var startedBy: String

    public init(key: AttemptKey, jobName: String, teamName: String? = nil, argv: [String],
                workingDirectory: String, environment: [String: String] = [:], vdkSummaryPath: String? = nil,
                arguments: JSONValue? = nil, startedBy: String = "manual/metajob") {
        self.key = key
        self.jobName = jobName
        self.teamName = teamName
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.vdkSummaryPath = vdkSummaryPath
        self.arguments = arguments
        self.startedBy = startedBy
    }
}
