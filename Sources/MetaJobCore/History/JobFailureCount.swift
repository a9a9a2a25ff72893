/// How often one job of a meta job failed over the recorded runs (0 for jobs that never failed).
public struct JobFailureCount: Sendable, Equatable {
    public var metaJob: String
    public var job: String
    public var failures: Int

    public init(metaJob: String, job: String, failures: Int) {
        self.metaJob = metaJob
        self.job = job
        self.failures = failures
    }
}
