import MetaJobCore

/// Writes `ServerFrame.event` lines by hand, in the shape `JSONEncoder` gives them (the protocol the README
/// documents; clients decode them with the same `Codable` types). Every event goes through here while a client
/// is attached: Foundation's encoder made DAG10K with one client use about 15 % more CPU.
enum EventFrameWriter {
    /// `event` as one `{"event":{"_0":{…}}}` line, newline included.
    static func frame(_ event: RunEvent) -> [UInt8] {
        var e = JSONObjectWriter()
        e.uint("sequence", event.sequence)
        e.double("time", event.time)
        e.raw("kind", kind(event.kind))
        var wrapped = JSONObjectWriter()
        wrapped.raw("_0", e.finish())
        var frame = JSONObjectWriter()
        frame.raw("event", wrapped.finish())
        var bytes = Array(frame.finish().utf8)
        bytes.append(0x0A)
        return bytes
    }

    private static func kind(_ kind: RunEvent.Kind) -> String {
        var k = JSONObjectWriter()
        switch kind {
        case .runStarted:
            k.raw("runStarted", "{}")
        case .job(let u):
            var payload = JSONObjectWriter()
            payload.raw("_0", update(u))
            k.raw("job", payload.finish())
        case let .log(job, attempt, stream, lines):
            var l = JSONObjectWriter()
            l.string("bytes", Base64.encode(lines.bytes))
            l.raw("ends", intArray(lines.ends))
            if !lines.unterminated.isEmpty { l.raw("unterminated", intArray(lines.unterminated)) }
            var payload = JSONObjectWriter()
            payload.int("job", job)
            payload.int("attempt", attempt)
            payload.string("stream", stream.rawValue)
            payload.raw("lines", l.finish())
            k.raw("log", payload.finish())
        case let .controls(paused, limit):
            var payload = JSONObjectWriter()
            payload.bool("paused", paused)
            payload.int("limit", limit)
            k.raw("controls", payload.finish())
        case .runReopened:
            k.raw("runReopened", "{}")
        case .runFinished(let outcome):
            var payload = JSONObjectWriter()
            payload.string("_0", outcome.rawValue)
            k.raw("runFinished", payload.finish())
        }
        return k.finish()
    }

    private static func update(_ u: JobUpdate) -> String {
        var o = JSONObjectWriter()
        o.int("job", u.job)
        o.string("state", u.state.rawValue)
        o.int("attempt", u.attempt)
        if let code = u.exitCode { o.int("exitCode", Int(code)) }
        if let reason = u.reason { o.string("reason", reason) }
        if let id = u.executionId { o.string("executionId", id) }
        if let delay = u.delayReason { o.raw("delayReason", delayReason(delay)) }
        if let readyAt = u.readyAt { o.double("readyAt", readyAt) }
        if let max = u.maxAttempts { o.int("maxAttempts", max) }
        return o.finish()
    }

    /// A `DelayReason` as JSONEncoder writes it (also used by `SnapshotFrameWriter`).
    static func delayReason(_ reason: DelayReason) -> String {
        var r = JSONObjectWriter()
        switch reason {
        case .conflict(let message):
            var m = JSONObjectWriter()
            m.string("message", message)
            r.raw("conflict", m.finish())
        case .serverError(let message):
            var m = JSONObjectWriter()
            m.string("message", message)
            r.raw("serverError", m.finish())
        case .retryBackoff:
            r.raw("retryBackoff", "{}")
        }
        return r.finish()
    }

    /// `[1,2,3]`.
    static func intArray(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }
}
