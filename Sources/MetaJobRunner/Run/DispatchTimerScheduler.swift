import Dispatch

/// Wake-ups on a `DispatchSourceTimer`: the scheduler the runner uses outside tests.
public struct DispatchTimerScheduler: RunTimerScheduler {
    public init() {}

    public func schedule(after delay: Double, on queue: DispatchQueue, _ fire: @escaping @Sendable () -> Void) -> RunTimer {
        let source = DispatchSource.makeTimerSource(queue: queue)
        // At most 1e9 s ahead, so the nanoseconds fit an Int (a long backoff could pass that); the runner re-arms
        // a wake-up that comes before its deadline.
        source.schedule(deadline: .now() + .nanoseconds(Int(min(max(0, delay), 1e9) * 1e9)), leeway: .milliseconds(1))
        source.setEventHandler(handler: fire)
        source.resume()
        return DispatchRunTimer(source)
    }
}
