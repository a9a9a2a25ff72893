import Dispatch
import Foundation
import MetaJobCore
import MetaJobScreen

/// Carries one run's event stream from the runner's queue to the UI queue: the snapshot at once, then events
/// in batches, at most `maxRate` batches a second, and nothing at all while nothing happens.
///
/// On the runner's queue it only appends to a buffer (the run is never slowed by drawing); the UI queue takes
/// the whole buffer each time.
final class DashboardFeed: RunObserver, @unchecked Sendable {
    private let ui: DispatchQueue
    private let deliver: @Sendable ([DashboardMessage]) -> Void
    private let minInterval: Double
    private let lock = NSLock()
    private var pending: [RunEvent] = []
    private var scheduled = false
    private var lastDelivery: DispatchTime = .init(uptimeNanoseconds: 0)
    private var closed = false

    /// - Parameters:
    ///   - ui: the queue `deliver` is called on.
    ///   - maxRate: batches per second at most (the redraw rate while events flow).
    init(ui: DispatchQueue, maxRate: Double = 30, deliver: @escaping @Sendable ([DashboardMessage]) -> Void) {
        self.ui = ui
        self.deliver = deliver
        self.minInterval = 1 / maxRate
    }

    func attach(_ snapshot: RunSnapshot) {
        // Subscribing happens before any later event is buffered, so the snapshot always arrives first.
        ui.async { [deliver] in deliver([.live(snapshot), .tick(now: Date().timeIntervalSince1970)]) }
    }

    func receive(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        pending.append(event)
        guard !scheduled else { return }
        scheduled = true
        let earliest = lastDelivery + minInterval
        let now = DispatchTime.now()
        ui.asyncAfter(deadline: max(now, earliest)) { [self] in self.flushToUI() }
    }

    /// Stops delivering (the run is no longer shown); what is buffered is dropped.
    func close() {
        lock.lock()
        closed = true
        pending = []
        lock.unlock()
    }

    private func flushToUI() {
        dispatchPrecondition(condition: .onQueue(ui))
        lock.lock()
        let batch = pending
        pending = []
        scheduled = false
        lastDelivery = .now()
        let isClosed = closed
        lock.unlock()
        if !isClosed, !batch.isEmpty { deliver([.events(batch)]) }
    }
}
