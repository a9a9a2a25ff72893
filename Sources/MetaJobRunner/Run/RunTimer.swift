/// One armed wake-up of a `RunTimerScheduler`.
public protocol RunTimer: AnyObject, Sendable {
    /// Disarms it. Called on the queue the wake-up fires on, so a cancelled timer never fires afterwards.
    func cancel()
}
