import MetaJobCore

/// Writes `ServerFrame.event` lines by hand, in the shape `JSONEncoder` gives them (the protocol the README
/// documents; clients decode them with the same `Codable` types). Every event goes through here while a client
/// is attached: Foundation's encoder made DAG10K with one client use about 15 % more CPU, and building the frame
/// as a String a scalar at a time took nearly half the run's CPU under a log flood (now bytes, one buffer).
enum EventFrameWriter {
    /// `event` as one `{"event":{"_0":{…}}}` line, newline included, written into one buffer.
    static func frame(_ event: RunEvent) -> [UInt8] {
        var capacity = 160
        if case .log(_, _, _, let lines) = event.kind { capacity += lines.bytes.count * 4 / 3 + 6 * lines.count }
        var w = JSONObjectWriter(capacity: capacity)
        w.open("event")
        w.open("_0")
        w.uint("sequence", event.sequence)
        w.double("time", event.time)
        w.open("kind")
        kind(event.kind, into: &w)
        var bytes = w.finishBytes()
        bytes.append(0x0A)
        return bytes
    }

    private static func kind(_ kind: RunEvent.Kind, into w: inout JSONObjectWriter) {
        switch kind {
        case .runStarted:
            w.emptyObject("runStarted")
        case .job(let u):
            w.open("job")
            w.open("_0")
            update(u, into: &w)
            w.close()
            w.close()
        case let .log(job, attempt, stream, lines):
            w.open("log")
            w.int("job", job)
            w.int("attempt", attempt)
            w.string("stream", stream.rawValue)
            w.open("lines")
            w.base64("bytes", lines.bytes)
            w.ints("ends", lines.ends)
            if !lines.unterminated.isEmpty { w.ints("unterminated", lines.unterminated) }
            w.close()
            w.close()
        case let .controls(paused, limit):
            w.open("controls")
            w.bool("paused", paused)
            w.int("limit", limit)
            w.close()
        case .runReopened:
            w.emptyObject("runReopened")
        case .runFinished(let outcome):
            w.open("runFinished")
            w.string("_0", outcome.rawValue)
            w.close()
        }
    }

    private static func update(_ u: JobUpdate, into o: inout JSONObjectWriter) {
        o.int("job", u.job)
        o.string("state", u.state.rawValue)
        o.int("attempt", u.attempt)
        if let code = u.exitCode { o.int("exitCode", Int(code)) }
        if let reason = u.reason { o.string("reason", reason) }
        if let id = u.executionId { o.string("executionId", id) }
        if let delay = u.delayReason { delayReason(delay, key: "delayReason", into: &o) }
        if let readyAt = u.readyAt { o.double("readyAt", readyAt) }
        if let max = u.maxAttempts { o.int("maxAttempts", max) }
    }

    /// `k` set to a `DelayReason` as JSONEncoder writes it (also used by `SnapshotFrameWriter`).
    static func delayReason(_ reason: DelayReason, key k: String, into w: inout JSONObjectWriter) {
        w.open(k)
        switch reason {
        case .conflict(let message):
            w.open("conflict")
            w.string("message", message)
            w.close()
        case .serverError(let message):
            w.open("serverError")
            w.string("message", message)
            w.close()
        case .retryBackoff:
            w.emptyObject("retryBackoff")
        }
        w.close()
    }
}
