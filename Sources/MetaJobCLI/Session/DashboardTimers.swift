import Dispatch
import Foundation
import MetaJobScreen

/// The dashboard's two timers, armed only while the model asks for them (idle means no CPU): a 1 Hz tick
/// while something on screen moves with time, and a 2 s re-read of a past run another process still runs.
final class DashboardTimers: @unchecked Sendable {
    private let queue: DispatchQueue
    private let deliver: @Sendable ([DashboardMessage]) -> Void
    private var ticker: DispatchSourceTimer?
    private var refresher: DispatchSourceTimer?
    private var refreshing: String?

    /// Timers on `queue` (the UI queue, which owns this); ticks are handed to `deliver`.
    init(queue: DispatchQueue, deliver: @escaping @Sendable ([DashboardMessage]) -> Void) {
        self.queue = queue
        self.deliver = deliver
    }

    /// Arms or cancels the timers for what the model wants now; `reread` is called for the past run to refresh.
    func update(ticks: Bool, refresh runId: String?, reread: @escaping @Sendable (String) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        if ticks, ticker == nil {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(50))
            timer.setEventHandler { [deliver] in deliver([.tick(now: Date().timeIntervalSince1970)]) }
            timer.resume()
            ticker = timer
        } else if !ticks, let timer = ticker {
            timer.cancel()
            ticker = nil
        }
        guard runId != refreshing else { return }
        refresher?.cancel()
        refresher = nil
        refreshing = runId
        guard let runId else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 2, repeating: 2, leeway: .milliseconds(200))
        timer.setEventHandler { reread(runId) }
        timer.resume()
        refresher = timer
    }

    /// Cancels both.
    func stop() {
        ticker?.cancel()
        ticker = nil
        refresher?.cancel()
        refresher = nil
        refreshing = nil
    }
}
