import Dispatch

/// How everything that watches or steers a run reaches it: the printers, the history recorder, the dashboard
/// and signal handling. The run may be in this process (the `Runner`) or in another one (a client of a socket);
/// users hold only this interface, so they do not change with where the run lives.
///
/// Every call may fail or be refused: a subscription can throw, a command is answered accepted or refused,
/// and a subscriber is told when the connection is lost.
public protocol RunConnection: AnyObject, Sendable {
    /// The queue observers are called on (a printer defers its flushes onto it).
    var queue: DispatchQueue { get }
    /// True when the run lives in another process (the one thing a user may ask about where it is).
    var isRemote: Bool { get }
    /// Subscribes `observer`: it gets the snapshot, then every later event in order — none lost between the
    /// two, none doubled. Throws when the run cannot be reached.
    func subscribe(_ observer: RunObserver) throws(RunConnectionError)
    /// Ends a subscription (events already on their way may still arrive).
    func unsubscribe(_ observer: RunObserver)
    /// Sends a command; `reply` is called once, on any queue, with the answer.
    func send(_ command: RunCommand, reply: @escaping @Sendable (CommandReply) -> Void)
    /// Calls `body` (on any queue) each time the run finishes — and at once if it already has.
    func onFinish(_ body: @escaping @Sendable (RunOutcome) -> Void)
    /// Says which jobs (graph indices) this watcher is looking at now, replacing what it said before: a watched
    /// remote job's log lines arrive while it runs, an unwatched one's at its end.
    func setWatched(jobs: Set<Int>)
}

extension RunConnection {
    /// Sends a command whose answer does not matter to the sender.
    public func send(_ command: RunCommand) {
        send(command) { _ in }
    }

    /// Stops the run: nothing new starts, running jobs get SIGTERM and after the grace period SIGKILL
    /// (`immediate`: SIGKILL at once).
    public func stop(immediate: Bool, reply: @escaping @Sendable (CommandReply) -> Void = { _ in }) {
        send(.stop(immediate: immediate), reply: reply)
    }
}
