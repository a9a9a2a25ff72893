import Dispatch

/// A task executor with a thread of its own, for the loopback servers the tests run.
///
/// Swift's cooperative pool has one thread per core (two here), and a synchronous test that waits for a
/// process blocks one of them. With enough such tests in parallel, an HTTP server on that pool stops
/// answering for a minute and the client's timeouts fire: a test of 409 handling failed as a test of
/// timeouts. A server started with `Task(executorPreference: DedicatedExecutor())` keeps answering; its
/// child and nested tasks and the actors they call run here too.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    // Serial: one server's work needs no parallelism; the queue's thread is not a cooperative one.
    private let queue: DispatchQueue

    /// An executor running its jobs on a new serial queue named `label`.
    public init(label: String = "test-server") {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
