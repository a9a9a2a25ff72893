/// One job of a meta job: VDK's keys plus metajob's additions.
public struct JobDefinition: Sendable, Equatable {
    /// `job_name`: unique within the meta job.
    public var name: String
    /// `team_name`, already defaulted to the top-level `team` (nil when neither is set).
    public var teamName: String?
    /// `depends_on`: names of jobs in the same file.
    public var dependsOn: [String]
    /// `fail_dag_on_error` (or its older name `fail_meta_job_on_error`); default true.
    public var failDagOnError: Bool
    /// `arguments`: a JSON object passed to the job; nil when absent.
    public var arguments: JSONValue?
    /// `command`; nil means a VDK data job directory named after the job.
    public var command: JobCommand?
    /// `working_directory`, as written (relative to the definition's directory); nil for the default.
    public var workingDirectory: String?
    /// `env`, in file order.
    public var env: [EnvironmentVariable]
    /// `timeout_seconds`; nil for none.
    public var timeoutSeconds: Double?
    /// `retries`: automatic retries after a failed attempt.
    public var retries: Int
    /// `retry_delay_seconds`: the first retry's delay; doubles with each attempt.
    public var retryDelaySeconds: Double
    /// `executor`; nil to use the meta job's.
    public var executor: ExecutorKind?
    /// The 1-based line where the job starts in the file (0 when unknown).
    public var line: Int

    public init(name: String, teamName: String? = nil, dependsOn: [String] = [], failDagOnError: Bool = true,
                arguments: JSONValue? = nil, command: JobCommand? = nil, workingDirectory: String? = nil,
                env: [EnvironmentVariable] = [], timeoutSeconds: Double? = nil, retries: Int = 0,
                retryDelaySeconds: Double = 10, executor: ExecutorKind? = nil, line: Int = 0) {
        self.name = name
        self.teamName = teamName
        self.dependsOn = dependsOn
        self.failDagOnError = failDagOnError
        self.arguments = arguments
        self.command = command
        self.workingDirectory = workingDirectory
        self.env = env
        self.timeoutSeconds = timeoutSeconds
        self.retries = retries
        self.retryDelaySeconds = retryDelaySeconds
        self.executor = executor
        self.line = line
    }
}
