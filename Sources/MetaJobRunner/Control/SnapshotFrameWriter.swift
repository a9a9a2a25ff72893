import MetaJobCore

/// Writes `ServerFrame.snapshot` lines by hand, in the shape `JSONEncoder` gives them (tested against it), into
/// one buffer: a client attaching to a 10,000-job run waits for this frame (Foundation's encoder alone took most
/// of the 300 ms that attaching may take), and every client that connects while the run moves needs a fresh one.
enum SnapshotFrameWriter {
    /// `snapshot` as one `{"snapshot":{"_0":{…}}}` line, newline included.
    static func frame(_ snapshot: RunSnapshot) -> [UInt8] {
        var w = JSONObjectWriter(capacity: 256 + snapshot.jobs.count * 200)
        w.open("snapshot")
        w.open("_0")
        outline(snapshot.outline, into: &w)
        w.openArray("jobs")
        for job in snapshot.jobs {
            w.openElement()
            progress(job, into: &w)
            w.close()
        }
        w.close()
        phase(snapshot.phase, into: &w)
        w.bool("paused", snapshot.paused)
        w.int("limit", snapshot.limit)
        w.uint("sequence", snapshot.sequence)
        w.double("wallClockOrigin", snapshot.wallClockOrigin)
        var bytes = w.finishBytes()
        bytes.append(0x0A)
        return bytes
    }

    private static func outline(_ o: RunOutline, into w: inout JSONObjectWriter) {
        w.open("outline")
        w.string("runId", o.runId)
        w.string("metaJobName", o.metaJobName)
        w.string("startedBy", o.startedBy)
        w.openArray("jobs")
        for job in o.jobs {
            w.openElement()
            w.string("name", job.name)
            if let team = job.team { w.string("team", team) }
            w.strings("dependsOn", job.dependsOn)
            w.int("retries", job.retries)
            w.bool("failDagOnError", job.failDagOnError)
            w.close()
        }
        w.close()
        w.close()
    }

    private static func progress(_ p: JobProgress, into w: inout JSONObjectWriter) {
        w.string("state", p.state.rawValue)
        w.int("attempt", p.attempt)
        w.int("maxAttempts", p.maxAttempts)
        if let code = p.exitCode { w.int("exitCode", Int(code)) }
        if let reason = p.reason { w.string("reason", reason) }
        if let id = p.executionId { w.string("executionId", id) }
        if let t = p.startedAt { w.double("startedAt", t) }
        if let t = p.endedAt { w.double("endedAt", t) }
        if let delay = p.delayReason { EventFrameWriter.delayReason(delay, key: "delayReason", into: &w) }
        if let t = p.readyAt { w.double("readyAt", t) }
        if let run = p.reusedFrom { w.string("reusedFrom", run) }
        w.openArray("spans")
        for span in p.spans {
            w.openElement()
            w.int("attempt", span.attempt)
            w.double("start", span.start)
            if let end = span.end { w.double("end", end) }
            w.string("state", span.state.rawValue)
            w.close()
        }
        w.close()
    }

    private static func phase(_ phase: RunPhase, into w: inout JSONObjectWriter) {
        w.open("phase")
        switch phase {
        case .notStarted: w.emptyObject("notStarted")
        case .running: w.emptyObject("running")
        case .finished(let outcome):
            w.open("finished")
            w.string("_0", outcome.rawValue)
            w.close()
        }
        w.close()
    }
}
