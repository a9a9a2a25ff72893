extension RunSnapshot {
    /// Moves the snapshot past `event` (the next one on the stream): a watcher that keeps a snapshot current
    /// this way sees what a fresh subscription would show (times may differ by the clock's reading).
    public mutating func apply(_ event: RunEvent) {
        switch event.kind {
        case .runStarted, .runReopened:
            phase = .running
        case .job(let u):
            if jobs.indices.contains(u.job) { jobs[u.job].apply(u, at: event.time, origin: wallClockOrigin) }
        case .log(_, _, _, let lines):
            sequence = event.sequence + UInt64(max(1, lines.count)) - 1
            return
        case let .controls(paused, limit):
            self.paused = paused
            self.limit = limit
        case .runFinished(let outcome):
            phase = .finished(outcome)
        }
        sequence = event.sequence
    }
}
