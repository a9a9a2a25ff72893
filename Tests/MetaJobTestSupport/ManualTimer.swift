import Dispatch
import Foundation
import MetaJobRunner

/// One wake-up armed on a `ManualClock`.
final class ManualTimer: RunTimer, @unchecked Sendable {
    let at: Double
    /// Arming order, to break ties between wake-ups due at the same time.
    let order: Int
    let queue: DispatchQueue
    let fire: @Sendable () -> Void
    private let lock = NSLock()
    private var cancelled = false

    init(at: Double, order: Int, queue: DispatchQueue, fire: @escaping @Sendable () -> Void) {
        self.at = at
        self.order = order
        self.queue = queue
        self.fire = fire
    }

    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    func cancel() {
        lock.lock(); cancelled = true; lock.unlock()
    }
}
