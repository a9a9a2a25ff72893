/// Every attempt's retained output, bounded per attempt and in total (oldest lines dropped first, counted).
struct LogStore: Sendable {
    /// Bounds: lines and bytes per attempt, bytes in total.
    var maxLinesPerAttempt = Dashboard.keptLogLinesPerAttempt
    var maxBytesPerAttempt = Dashboard.keptLogBytesPerAttempt
    var maxBytesTotal = 64 << 20
    private(set) var logs: [LogKey: AttemptLog] = [:]
    private(set) var totalBytes = 0

    subscript(key: LogKey) -> AttemptLog? { logs[key] }

    /// Appends lines (neutralising each); keeps within the bounds.
    mutating func append<Lines: Sequence>(job: Int, attempt: Int, stderr: Bool, lines: Lines) where Lines.Element == ArraySlice<UInt8> {
        let key = LogKey(job: job, attempt: attempt)
        var log = logs.removeValue(forKey: key) ?? AttemptLog()
        for bytes in lines {
            let line = LogLine(bytes: bytes, stderr: stderr)
            let before = log.bytes
            _ = log.append(line, maxLines: maxLinesPerAttempt, maxBytes: maxBytesPerAttempt)
            totalBytes += log.bytes - before
        }
        logs[key] = log
        if totalBytes > maxBytesTotal { shrink(keeping: key) }
    }

    /// Counts `count` lines of an attempt as dropped without having seen them (see `DashboardMessage.logLinesSkipped`).
    mutating func skip(job: Int, attempt: Int, count: Int) {
        let key = LogKey(job: job, attempt: attempt)
        var log = logs.removeValue(forKey: key) ?? AttemptLog()
        log.skip(count)
        logs[key] = log
    }

    /// Replaces an attempt's lines (a past run's log loaded from the history).
    mutating func replace(job: Int, attempt: Int, lines: [(bytes: [UInt8], stderr: Bool)]) {
        let key = LogKey(job: job, attempt: attempt)
        if let old = logs.removeValue(forKey: key) { totalBytes -= old.bytes }
        var log = AttemptLog()
        for line in lines {
            _ = log.append(LogLine(bytes: line.bytes[...], stderr: line.stderr),
                           maxLines: maxLinesPerAttempt, maxBytes: maxBytesPerAttempt)
        }
        totalBytes += log.bytes
        logs[key] = log
        if totalBytes > maxBytesTotal { shrink(keeping: key) }
    }

    mutating func removeAll() {
        logs = [:]
        totalBytes = 0
    }

    /// Over the total bound: drop the oldest lines of the biggest other log until 90% of the bound.
    /// Runs rarely (each pass frees ≥10%), so scanning the attempts is fine.
    private mutating func shrink(keeping current: LogKey) {
        let target = maxBytesTotal / 10 * 9
        while totalBytes > target {
            var pick: LogKey?
            var size = 0
            for (key, log) in logs where key != current && log.count > 1 && log.bytes > size { pick = key; size = log.bytes }
            if pick == nil, let log = logs[current], log.count > 1 { pick = current }
            guard let key = pick, var log = logs.removeValue(forKey: key) else { break }
            let excess = totalBytes - target
            var freed = 0
            while freed < excess && log.count > 1 { freed += log.dropFirst() }
            totalBytes -= freed
            logs[key] = log
        }
    }
}
