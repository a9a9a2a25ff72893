import Dispatch
import Foundation
import MetaJobCore
import MetaJobScreen

/// Carries one run's event stream from the runner's queue to the UI queue: the snapshot at once, then events
/// in batches — output at most `maxRate` batches a second, a lone state change at once (`FeedPacing`) — and
/// nothing at all while nothing happens.
///
/// On the runner's queue it only appends to a buffer (the run is never slowed by drawing); the UI queue takes
/// the whole buffer each time. A job's output can arrive faster than the UI turns lines into text (a flood, a
/// line of control bytes each shown as four characters, a UI thread starved of CPU): then the buffer would grow
/// without end and each delivery would take longer than the last, keys waiting behind it. So each delivery
/// carries at most a budget of output — `linesPerDelivery` lines and `bytesPerDelivery` bytes, shared by the
/// attempts that have output waiting — and an attempt's older lines beyond its share are dropped and only
/// counted (`.logLinesSkipped`: the screen shows them as earlier lines, which are in the history). The screen
/// then keeps the newest lines as it would anyway. While the UI is busy the buffer is trimmed as events come
/// (never below each attempt's newest event), so it stays bounded too.
final class DashboardFeed: RunObserver, @unchecked Sendable {
    /// Output one delivery carries at most (see the type's comment). At 30 deliveries a second that is 30 MB/s
    /// or 600,000 lines/s before anything is dropped; sanitising 1 MB of control bytes is quick even unoptimised.
    static let linesPerDelivery = Dashboard.keptLogLinesPerAttempt
    static let bytesPerDelivery = 1 << 20

    private let ui: DispatchQueue
    private let deliver: @Sendable ([DashboardMessage]) -> Void
    /// When batches go (a lone state change at once, output at `maxRate`); under `lock`.
    private var pacing: FeedPacing
    private let maxLines: Int
    private let maxBytes: Int
    private let lock = NSLock()
    /// Events waiting for the UI, in order; a dropped log event leaves nil.
    private var pending: [RunEvent?] = []
    /// The log events in `pending`, by attempt.
    private var logs: [PendingLog.Key: PendingLog] = [:]
    /// The bytes of the log events in `pending`.
    private var logBytes = 0
    /// When the next delivery is due, in `pacing`'s seconds (nil: none scheduled).
    private var scheduledAt: Double?
    /// Whether `pending` holds more than output.
    private var pendingStateChange = false
    private var closed = false

    /// - Parameters:
    ///   - ui: the queue `deliver` is called on.
    ///   - maxRate: batches of output alone per second at most (the redraw rate while only output flows); a
    ///     stream of state changes goes at twice that, a lone one at once (`FeedPacing`).
    ///   - maxLines, maxBytes: the output one delivery carries at most, shared by the attempts.
    init(ui: DispatchQueue, maxRate: Double = 30, maxLines: Int = DashboardFeed.linesPerDelivery,
         maxBytes: Int = DashboardFeed.bytesPerDelivery, deliver: @escaping @Sendable ([DashboardMessage]) -> Void) {
        self.ui = ui
        self.deliver = deliver
        self.pacing = FeedPacing(logRate: maxRate, stateRate: 2 * maxRate)
        self.maxLines = max(1, maxLines)
        self.maxBytes = max(1, maxBytes)
    }

    func attach(_ snapshot: RunSnapshot) {
        // Subscribing happens before any later event is buffered, so the snapshot always arrives first.
        ui.async { [deliver] in deliver([.live(snapshot), .tick(now: Date().timeIntervalSince1970)]) }
    }

    /// The run cannot be reached any more: said on the status line (no event follows).
    func connectionLost(_ error: RunConnectionError) {
        ui.async { [deliver] in deliver([.failed(error.message)]) }
    }

    func receive(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        let isLog: Bool
        if case let .log(job, attempt, _, lines) = event.kind {
            isLog = true
            let key = PendingLog.Key(job: job, attempt: attempt)
            logs[key, default: PendingLog()].add(position: pending.count, lines: lines.count, bytes: lines.byteCount)
            pending.append(event)
            logBytes += lines.byteCount
            // Older events of this attempt that its newer ones already cover will not be delivered.
            dropCovered(key)
            if logBytes > maxBytes { shrinkToBudget() }
        } else {
            isLog = false
            pendingStateChange = true
            pending.append(event)
        }
        let now = DashboardFeed.now()
        let due = pacing.due(now: now, isLog: isLog)
        if let at = scheduledAt, at <= due { return }
        // A delivery scheduled for later still runs, and finds nothing (or only what came since) to deliver.
        scheduledAt = due
        if due <= now {
            ui.async { [self] in self.flushToUI() }
        } else {
            ui.asyncAfter(deadline: .now() + (due - now)) { [self] in self.flushToUI() }
        }
    }

    /// Monotonic seconds (the clock `DispatchTime` runs on).
    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Drops the events of `key` that newer ones cover (see `PendingLog.dropCovered`).
    private func dropCovered(_ key: PendingLog.Key) {
        let before = logs[key]!.bytes
        for position in logs[key]!.dropCovered(maxLines: maxLines, maxBytes: maxBytes) { pending[position] = nil }
        logBytes -= before - logs[key]!.bytes
    }

    /// Over the budget while the UI is busy: drops the oldest events of the attempts with the most waiting
    /// output until under it, or until each attempt is down to its newest event. Runs only while jobs flood,
    /// over the attempts with output waiting.
    private func shrinkToBudget() {
        while logBytes > maxBytes {
            guard let key = logs.filter({ $0.value.hasOlderEvents }).max(by: { $0.value.bytes < $1.value.bytes })?.key else { return }
            let before = logs[key]!.bytes
            guard let position = logs[key]!.dropOldest() else { return }
            pending[position] = nil
            logBytes -= before - logs[key]!.bytes
        }
    }

    /// Stops delivering (the run is no longer shown); what is buffered is dropped.
    func close() {
        lock.lock()
        closed = true
        pending = []
        logs = [:]
        logBytes = 0
        lock.unlock()
    }

    private func flushToUI() {
        dispatchPrecondition(condition: .onQueue(ui))
        lock.lock()
        guard !pending.isEmpty else {
            lock.unlock()
            return
        }
        var batch = pending
        let batchLogs = logs
        pending = []
        logs = [:]
        logBytes = 0
        scheduledAt = nil
        pacing.delivered(at: DashboardFeed.now(), withStateChange: pendingStateChange)
        pendingStateChange = false
        let isClosed = closed
        lock.unlock()
        guard !isClosed, !batch.isEmpty else { return }
        // Each attempt with output gets an equal share of the budget: its older events beyond the share go,
        // and its oldest kept event is cut to it, so one huge read cannot make this delivery long either.
        var messages: [DashboardMessage] = []
        let shareLines = max(1, maxLines / max(1, batchLogs.count))
        let shareBytes = max(1, maxBytes / max(1, batchLogs.count))
        for (key, var log) in batchLogs.sorted(by: { ($0.key.job, $0.key.attempt) < ($1.key.job, $1.key.attempt) }) {
            for position in log.dropCovered(maxLines: shareLines, maxBytes: shareBytes) { batch[position] = nil }
            if let position = log.oldestPosition, let event = batch[position],
               case let .log(job, attempt, stream, lines) = event.kind {
                let cut = log.trimCount(of: lines, maxLines: shareLines, maxBytes: shareBytes)
                if cut > 0 {
                    batch[position] = RunEvent(sequence: event.sequence + UInt64(cut), time: event.time,
                                               kind: .log(job: job, attempt: attempt, stream: stream, lines: Self.dropping(cut, of: lines)))
                }
            }
            if log.skipped > 0 { messages.append(.logLinesSkipped(job: key.job, attempt: key.attempt, count: log.skipped)) }
        }
        messages.append(.events(batch.compactMap { $0 }))
        deliver(messages)
    }

    /// `lines` without its first `count` lines.
    private static func dropping(_ count: Int, of lines: LogLines) -> LogLines {
        let start = lines.ends[count - 1]
        return LogLines(bytes: Array(lines.bytes[start...]), ends: lines.ends[count...].map { $0 - start })
    }
}
