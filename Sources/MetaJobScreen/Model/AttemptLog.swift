/// One attempt's retained output: the newest lines up to a bound, and how many older ones were dropped.
struct AttemptLog: Sendable {
    /// Lines `head ..< storage.count` are live; dropping advances `head` (compacted now and then).
    private var storage: [LogLine] = []
    private var head = 0
    private(set) var bytes = 0
    /// Lines dropped from the start to keep the bound (they remain in the run's history).
    private(set) var dropped = 0

    var count: Int { storage.count - head }
    subscript(i: Int) -> LogLine { storage[head + i] }

    mutating func append(_ line: LogLine, maxLines: Int, maxBytes: Int) -> Int {
        storage.append(line)
        bytes += line.byteCount + 32
        var freed = 0
        while count > 1 && (count > maxLines || bytes > maxBytes) { freed += dropFirst() }
        return freed
    }

    /// Drops the oldest line; returns the bytes freed.
    @discardableResult
    mutating func dropFirst() -> Int {
        guard count > 0 else { return 0 }
        let size = storage[head].byteCount + 32
        // Free the text now, not at the next compaction: up to 1,024 dropped lines of up to 16 KB each would
        // otherwise stay allocated per attempt.
        storage[head].text = ""
        head += 1
        dropped += 1
        bytes -= size
        if head > 1024 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return size
    }

    /// Counts lines that were dropped before they got here.
    mutating func skip(_ count: Int) {
        dropped += count
    }

    mutating func removeAll() {
        storage = []
        head = 0
        bytes = 0
    }
}
