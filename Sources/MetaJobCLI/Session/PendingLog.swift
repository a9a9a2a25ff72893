import MetaJobCore

/// One attempt's output waiting in the dashboard feed for the UI: where its log events sit in the feed's
/// buffer and how many lines and bytes they hold, so the oldest can go once newer lines alone fill the
/// attempt's share of a delivery. This is what bounds the feed's memory and the UI's work per delivery.
struct PendingLog {
    /// The attempt a pending log belongs to.
    struct Key: Hashable {
        var job: Int
        var attempt: Int
    }

    /// This attempt's log events, oldest first from `head`: their position in the feed's buffer and size.
    private var events: [(position: Int, lines: Int, bytes: Int)] = []
    private var head = 0
    /// Lines and bytes of the events from `head` on.
    private(set) var lines = 0
    private(set) var bytes = 0
    /// Lines dropped so far (not yet reported to the UI).
    private(set) var skipped = 0

    /// True when events older than the newest are waiting (`dropOldest` can drop one).
    var hasOlderEvents: Bool { events.count - head > 1 }

    /// The oldest kept event's position in the buffer, if any.
    var oldestPosition: Int? { head < events.count ? events[head].position : nil }

    /// Adds an event of `lines` lines and `bytes` bytes at `position`.
    mutating func add(position: Int, lines: Int, bytes: Int) {
        events.append((position, lines, bytes))
        self.lines += lines
        self.bytes += bytes
    }

    /// Drops whole events from the oldest while the events after it still hold `maxLines` lines or `maxBytes`
    /// bytes; returns their buffer positions.
    mutating func dropCovered(maxLines: Int, maxBytes: Int) -> [Int] {
        var dropped: [Int] = []
        while hasOlderEvents {
            let oldest = events[head]
            guard lines - oldest.lines >= maxLines || bytes - oldest.bytes >= maxBytes, let position = dropOldest() else { break }
            dropped.append(position)
        }
        return dropped
    }

    /// Drops the oldest event if another one follows it (the newest is always kept); returns its position.
    mutating func dropOldest() -> Int? {
        guard hasOlderEvents else { return nil }
        let oldest = events[head]
        lines -= oldest.lines
        bytes -= oldest.bytes
        skipped += oldest.lines
        head += 1
        return oldest.position
    }

    /// How many of the first lines of the oldest kept event, `oldest`, the screen would drop at once: those
    /// followed by at least `maxLines` lines or `maxBytes` bytes. Counts them as skipped.
    mutating func trimCount(of oldest: LogLines, maxLines: Int, maxBytes: Int) -> Int {
        var after = (lines: lines, bytes: bytes)
        var count = 0
        // Never the last line of the attempt: the screen always keeps one.
        while count < oldest.count, after.lines > 1 {
            let size = oldest[count].count
            let rest = (lines: after.lines - 1, bytes: after.bytes - size)
            guard rest.lines >= maxLines || rest.bytes >= maxBytes else { break }
            after = rest
            count += 1
        }
        skipped += count
        return count
    }
}
