/// Something that consumes a run's event stream: printers, the history recorder, the dashboard.
///
/// Called on the runner's queue, in order; keep each call short (hand heavy work to your own queue).
public protocol RunObserver: AnyObject, Sendable {
    /// The state at the moment of subscribing; every later event follows, none missed or doubled.
    func attach(_ snapshot: RunSnapshot)
    /// One event.
    func receive(_ event: RunEvent)
    /// The runner finished a step: a good moment to flush buffered output.
    func flush()
}

extension RunObserver {
    public func attach(_ snapshot: RunSnapshot) {}
    public func flush() {}
}
