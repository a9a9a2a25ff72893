/// Rows waiting for the writer.
struct Batch {
    var events: [EventRow] = []
    var logs: [LogRow] = []
    /// The run's latest state change in this batch (finished or reopened).
    var runState: (String, Double?)?
}
