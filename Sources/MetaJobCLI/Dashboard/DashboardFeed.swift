import Dispatch
import Foundation
import MetaJobCore
import MetaJobScreen

/// Carries one run's event stream from the runner's queue to the UI queue: the snapshot at once, then events
/// in batches, at most `maxRate` batches a second, and nothing at all while nothing happens.
///
/// On the runner's queue it only appends to a buffer (the run is never slowed by drawing); the UI queue takes
/// the whole buffer each time. A job's output can arrive faster than the UI turns lines into text (a flood,
/// or a UI thread starved of CPU): then the buffer would grow without end and each delivery would take longer
/// than the last, keys waiting behind it. So an attempt's lines that newer buffered lines already push out of
/// what the screen keeps (`Dashboard.keptLogLinesPerAttempt`/`…BytesPerAttempt`) are dropped here and only
/// counted (`.logLinesSkipped`); they are in the history. The buffer and the work per delivery stay bounded.
final class DashboardFeed: RunObserver, @unchecked Sendable {
    private let ui: DispatchQueue
    private let deliver: @Sendable ([DashboardMessage]) -> Void
    private let minInterval: Double
    private let maxLines: Int
    private let maxBytes: Int
    private let lock = NSLock()
    /// Events waiting for the UI, in order; a dropped log event leaves nil.
    private var pending: [RunEvent?] = []
    /// The log events in `pending`, by attempt.
    private var logs: [PendingLog.Key: PendingLog] = [:]
    private var scheduled = false
    private var lastDelivery: DispatchTime = .init(uptimeNanoseconds: 0)
    private var closed = false

    /// - Parameters:
    ///   - ui: the queue `deliver` is called on.
    ///   - maxRate: batches per second at most (the redraw rate while events flow).
    ///   - maxLines, maxBytes: per attempt, buffered lines older than this many newer lines (or bytes) are dropped.
    init(ui: DispatchQueue, maxRate: Double = 30, maxLines: Int = Dashboard.keptLogLinesPerAttempt,
         maxBytes: Int = Dashboard.keptLogBytesPerAttempt, deliver: @escaping @Sendable ([DashboardMessage]) -> Void) {
        self.ui = ui
        self.deliver = deliver
        self.minInterval = 1 / maxRate
        self.maxLines = max(1, maxLines)
        self.maxBytes = max(1, maxBytes)
    }

    func attach(_ snapshot: RunSnapshot) {
        // Subscribing happens before any later event is buffered, so the snapshot always arrives first.
        ui.async { [deliver] in deliver([.live(snapshot), .tick(now: Date().timeIntervalSince1970)]) }
    }

    func receive(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        if case let .log(job, attempt, _, lines) = event.kind {
            let key = PendingLog.Key(job: job, attempt: attempt)
            logs[key, default: PendingLog()].add(position: pending.count, lines: lines.count, bytes: lines.byteCount)
            pending.append(event)
            for position in logs[key]!.dropCovered(maxLines: maxLines, maxBytes: maxBytes) { pending[position] = nil }
        } else {
            pending.append(event)
        }
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
        logs = [:]
        lock.unlock()
    }

    private func flushToUI() {
        dispatchPrecondition(condition: .onQueue(ui))
        lock.lock()
        var batch = pending
        let batchLogs = logs
        pending = []
        logs = [:]
        scheduled = false
        lastDelivery = .now()
        let isClosed = closed
        lock.unlock()
        guard !isClosed, !batch.isEmpty else { return }
        // Whole events were dropped as they came; cut the oldest kept one of each attempt to what the screen
        // keeps too, so one huge read cannot make this delivery long. (Off the runner's queue: this is O(lines).)
        var messages: [DashboardMessage] = []
        for (key, var log) in batchLogs.sorted(by: { ($0.key.job, $0.key.attempt) < ($1.key.job, $1.key.attempt) }) {
            if let position = log.oldestPosition, let event = batch[position],
               case let .log(job, attempt, stream, lines) = event.kind {
                let cut = log.trimCount(of: lines, maxLines: maxLines, maxBytes: maxBytes)
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
