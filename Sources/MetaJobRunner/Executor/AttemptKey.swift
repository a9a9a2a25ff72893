import MetaJobCore

/// One attempt of one job in a run: the job's index in the graph and its 1-based attempt number.
public struct AttemptKey: Hashable, Sendable, CustomStringConvertible {
    public var job: Int
    public var attempt: Int

    public init(job: Int, attempt: Int) {
        self.job = job
        self.attempt = attempt
    }

    public var description: String { "job#\(job)/attempt \(attempt)" }
}
