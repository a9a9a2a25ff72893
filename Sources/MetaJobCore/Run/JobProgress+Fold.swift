extension JobProgress {
    /// Applies one update published at wall time `time`; `origin` is the wall time of the state machine's clock
    /// zero (the update's `readyAt` is on that clock). The one fold of job progress: the screen, the history
    /// recorder and the history reader all keep their jobs with it.
    public mutating func apply(_ u: JobUpdate, at time: Double, origin: Double) {
        let old = state
        // A new attempt opens a span. A history may hold `running` without its `submitted`: that opens one too.
        if u.state == .submitted && (u.attempt != attempt || !old.holdsSlot) {
            startedAt = time
            spans.append(AttemptSpan(attempt: u.attempt, start: time, end: nil, state: u.state))
        } else if u.state == .running && !old.holdsSlot && spans.last?.attempt != u.attempt {
            spans.append(AttemptSpan(attempt: u.attempt, start: time, end: nil, state: u.state))
        }
        state = u.state
        attempt = u.attempt
        if let allowed = u.maxAttempts { maxAttempts = allowed }
        maxAttempts = max(maxAttempts, u.attempt)
        exitCode = u.exitCode
        reason = u.reason
        executionId = u.executionId
        delayReason = u.delayReason
        readyAt = u.readyAt.map { origin + $0 }
        if let last = spans.indices.last, spans[last].end == nil {
            // Waiting for a retry keeps the state the attempt ended with (a refused start stays `submitted`).
            if u.state != .delayed { spans[last].state = u.state }
            if !u.state.holdsSlot { spans[last].end = time }
        }
        // A user retry puts a finished job back on its way: it has no end until it finishes again.
        endedAt = u.state.isFinal ? time : nil
    }

    /// When the last attempt ended, also while the job waits for its retry (the screen shows that attempt's time).
    public var lastAttemptEnd: Double? {
        if let endedAt { return endedAt }
        guard state == .delayed, let last = spans.last, last.state.isFinal else { return nil }
        return last.end
    }
}
