/// One job state change waiting for the writer.
struct EventRow {
    var job: Int
    /// The event's number in the run: orders a job's events.
    var sequence: Int64
    var time: Double
    var state: String
    var attempt: Int
    var exitCode: Int32?
    var reason: String?
    var executionId: String?
    var delayReason: String?
    var readyAt: Double?
}
