/// What `RemoteState` asks the remote executor to do; the executor only performs these.
enum RemoteAction: Sendable {
    /// Send this request; its answer comes back as `.answered` with its ticket.
    case send(RemoteRequest)
    /// Feed `.timer(ticket)` back at monotonic time `at` (or soon after).
    case wake(ticket: Int, at: Double)
    /// Deliver this event to the runner (later on its queue, never from inside the runner's call).
    case emit(ExecutorEvent)
}
