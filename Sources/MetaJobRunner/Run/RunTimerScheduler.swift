import Dispatch

/// Arms the runner's wake-up for the state machine's next deadline (retry backoff, delay queue, timeout).
///
/// The runner asks for one wake-up at a time and cancels it when the deadline moves. Production uses
/// `DispatchTimerScheduler`; tests pass a manual one that fires when the test moves its clock, so
/// deadlines are exercised without sleeping. Read the time from the `RunClock` given alongside.
public protocol RunTimerScheduler: Sendable {
    /// Calls `fire` on `queue` once, `delay` seconds (on the run's clock) from now, unless the returned
    /// timer is cancelled first. Called on `queue`.
    func schedule(after delay: Double, on queue: DispatchQueue, _ fire: @escaping @Sendable () -> Void) -> RunTimer
}
