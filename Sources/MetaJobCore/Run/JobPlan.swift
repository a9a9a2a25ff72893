/// What the state machine needs to know of each job (the rest of the definition stays with the runner).
public struct JobPlan: Sendable, Equatable {
    public var name: String
    public var failDagOnError: Bool
    public var retries: Int
    public var retryDelaySeconds: Double
    public var timeoutSeconds: Double?

    public init(name: String, failDagOnError: Bool = true, retries: Int = 0, retryDelaySeconds: Double = 10,
                timeoutSeconds: Double? = nil) {
        self.name = name
        self.failDagOnError = failDagOnError
        self.retries = retries
        self.retryDelaySeconds = retryDelaySeconds
        self.timeoutSeconds = timeoutSeconds
    }

    /// The plan of a job definition.
    public init(_ job: JobDefinition) {
        self.init(name: job.name, failDagOnError: job.failDagOnError, retries: job.retries,
                  retryDelaySeconds: job.retryDelaySeconds, timeoutSeconds: job.timeoutSeconds)
    }
}
