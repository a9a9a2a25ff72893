import MetaJobCore

/// Writes `ServerFrame.snapshot` lines by hand, in the shape `JSONEncoder` gives them (tested against it): a
/// client attaching to a 10,000-job run waits for this frame, and Foundation's encoder alone took most of the
/// 300 ms that attaching may take.
enum SnapshotFrameWriter {
    /// `snapshot` as one `{"snapshot":{"_0":{…}}}` line, newline included.
    static func frame(_ snapshot: RunSnapshot) -> [UInt8] {
        var s = JSONObjectWriter()
        s.raw("outline", outline(snapshot.outline))
        var jobs = "["
        jobs.reserveCapacity(snapshot.jobs.count * 96)
        for (i, job) in snapshot.jobs.enumerated() {
            if i > 0 { jobs += "," }
            jobs += progress(job)
        }
        jobs += "]"
        s.raw("jobs", jobs)
        s.raw("phase", phase(snapshot.phase))
        s.bool("paused", snapshot.paused)
        s.int("limit", snapshot.limit)
        s.uint("sequence", snapshot.sequence)
        s.double("wallClockOrigin", snapshot.wallClockOrigin)
        var wrapped = JSONObjectWriter()
        wrapped.raw("_0", s.finish())
        var frame = JSONObjectWriter()
        frame.raw("snapshot", wrapped.finish())
        var bytes = Array(frame.finish().utf8)
        bytes.append(0x0A)
        return bytes
    }

    private static func outline(_ o: RunOutline) -> String {
        var w = JSONObjectWriter()
        w.string("runId", o.runId)
        w.string("metaJobName", o.metaJobName)
        w.string("startedBy", o.startedBy)
        var jobs = "["
        for (i, job) in o.jobs.enumerated() {
            if i > 0 { jobs += "," }
            var j = JSONObjectWriter()
            j.string("name", job.name)
            if let team = job.team { j.string("team", team) }
            j.raw("dependsOn", stringArray(job.dependsOn))
            j.int("retries", job.retries)
            j.bool("failDagOnError", job.failDagOnError)
            jobs += j.finish()
        }
        jobs += "]"
        w.raw("jobs", jobs)
        return w.finish()
    }

    private static func progress(_ p: JobProgress) -> String {
        var w = JSONObjectWriter()
        w.string("state", p.state.rawValue)
        w.int("attempt", p.attempt)
        w.int("maxAttempts", p.maxAttempts)
        if let code = p.exitCode { w.int("exitCode", Int(code)) }
        if let reason = p.reason { w.string("reason", reason) }
        if let id = p.executionId { w.string("executionId", id) }
        if let t = p.startedAt { w.double("startedAt", t) }
        if let t = p.endedAt { w.double("endedAt", t) }
        if let delay = p.delayReason { w.raw("delayReason", EventFrameWriter.delayReason(delay)) }
        if let t = p.readyAt { w.double("readyAt", t) }
        if let run = p.reusedFrom { w.string("reusedFrom", run) }
        var spans = "["
        for (i, span) in p.spans.enumerated() {
            if i > 0 { spans += "," }
            var s = JSONObjectWriter()
            s.int("attempt", span.attempt)
            s.double("start", span.start)
            if let end = span.end { s.double("end", end) }
            s.string("state", span.state.rawValue)
            spans += s.finish()
        }
        spans += "]"
        w.raw("spans", spans)
        return w.finish()
    }

    private static func phase(_ phase: RunPhase) -> String {
        var w = JSONObjectWriter()
        switch phase {
        case .notStarted: w.raw("notStarted", "{}")
        case .running: w.raw("running", "{}")
        case .finished(let outcome):
            var o = JSONObjectWriter()
            o.string("_0", outcome.rawValue)
            w.raw("finished", o.finish())
        }
        return w.finish()
    }

    private static func stringArray(_ values: [String]) -> String {
        var out = "["
        for (i, v) in values.enumerated() {
            if i > 0 { out += "," }
            JSONValue.writeString(v, into: &out)
        }
        return out + "]"
    }
}
