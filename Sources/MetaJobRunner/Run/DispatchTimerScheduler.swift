import Dispatch

/// Wake-ups on a `DispatchSourceTimer`: the scheduler the runner uses outside tests.
public struct DispatchTimerScheduler: RunTimerScheduler {
    public init() {}

    public func schedule(after delay: Double, on queue: DispatchQueue, _ fire: @escaping @Sendable () -> Void) -> RunTimer {
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + .nanoseconds(Int(max(0, delay) * 1e9)), leeway: .milliseconds(1))
        source.setEventHandler(handler: fire)
        source.resume()
        return DispatchRunTimer(source)
    }
}
