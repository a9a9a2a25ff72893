/// Which log: a job's attempt.
struct LogKey: Sendable, Hashable {
    var job: Int
    var attempt: Int
}
