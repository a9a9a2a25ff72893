/// Something that consumes a run's event stream through a `RunConnection`: printers, the history recorder,
/// the dashboard.
///
/// Called in order, never concurrently; keep each call short (hand heavy work to your own queue).
public protocol RunObserver: AnyObject, Sendable {
    /// The state at the moment of subscribing; every later event follows, none missed or doubled.
    func attach(_ snapshot: RunSnapshot)
    /// One event.
    func receive(_ event: RunEvent)
    /// The run finished a step: a good moment to flush buffered output.
    func flush()
    /// The connection broke; no event follows.
    func connectionLost(_ error: RunConnectionError)
}

extension RunObserver {
    public func attach(_ snapshot: RunSnapshot) {}
    public func flush() {}
    public func connectionLost(_ error: RunConnectionError) {}
}
