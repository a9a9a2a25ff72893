import Dispatch
import Foundation
import MetaJobRunner

/// A clock that moves only when the test says, and the scheduler of the wake-ups set on it: a runner (and a
/// `FakeExecutor`) given one never waits for real time. `fireNext(notAfter:)` moves the time to the earliest
/// armed wake-up and runs it on its queue; nothing fires by itself.
public final class ManualClock: RunClock, RunTimerScheduler, @unchecked Sendable {
    private let lock = NSLock()
    private var time: Double
    private let wallOrigin: Double
    private var armed: [ManualTimer] = []
    private var armedCount = 0

    /// A clock at monotonic `start` seconds; wall time is `wallOrigin + monotonic`.
    public init(start: Double = 0, wallOrigin: Double = 1_700_000_000) {
        time = start
        self.wallOrigin = wallOrigin
    }

    /// The current time.
    public var now: Double { lock.lock(); defer { lock.unlock() }; return time }

    public func monotonic() -> Double { now }

    public func wall() -> Double { wallOrigin + now }

    public func schedule(after delay: Double, on queue: DispatchQueue, _ fire: @escaping @Sendable () -> Void) -> RunTimer {
        lock.lock()
        defer { lock.unlock() }
        armedCount += 1
        let timer = ManualTimer(at: time + max(0, delay), order: armedCount, queue: queue, fire: fire)
        armed.append(timer)
        return timer
    }

    /// Times of the wake-ups armed and not cancelled, earliest first.
    public var pending: [Double] {
        lock.lock(); let timers = armed; lock.unlock()
        return timers.filter { !$0.isCancelled }.map(\.at).sorted()
    }

    /// How many wake-ups were ever armed on this clock.
    public var scheduledCount: Int { lock.lock(); defer { lock.unlock() }; return armedCount }

    /// Moves the time to the earliest armed wake-up due at or before `limit` and runs it on its queue
    /// (waiting for it). False when none is due: the time is then left where it was.
    public func fireNext(notAfter limit: Double) -> Bool {
        lock.lock()
        armed.removeAll { $0.isCancelled }
        guard let next = armed.filter({ $0.at <= limit }).min(by: { ($0.at, $0.order) < ($1.at, $1.order) }) else {
            lock.unlock()
            return false
        }
        armed.removeAll { $0 === next }
        time = max(time, next.at)
        lock.unlock()
        // A cancel made on the queue before this point wins; the flag is read on the same queue.
        next.queue.sync { if !next.isCancelled { next.fire() } }
        return true
    }

    /// Moves the time forward to `t` without running anything (use `fireNext` first for what falls due).
    public func set(_ t: Double) {
        lock.lock(); time = max(time, t); lock.unlock()
    }
}
