#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The runner's clocks: monotonic seconds for the state machine, wall seconds for events.
public protocol RunClock: Sendable {
    /// Seconds on a clock that never jumps.
    func monotonic() -> Double
    /// Seconds since 1970.
    func wall() -> Double
}

/// The system's clocks.
public struct SystemClock: RunClock {
    public init() {}

    public func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public func wall() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
