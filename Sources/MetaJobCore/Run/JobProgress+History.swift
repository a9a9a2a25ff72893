extension JobProgress {
    /// A recorded job's progress: its stored events replayed through the fold (attempt spans, delay), then
    /// the stored summary row, which is the last word on its state.
    public init(history: JobHistory) {
        self.init(state: .pending)
        for event in history.events {
            let update = JobUpdate(job: 0, state: JobState(rawValue: event.state) ?? .notRun, attempt: event.attempt,
                                   exitCode: event.exitCode, reason: event.reason, executionId: event.executionId,
                                   delayReason: event.delayReason.flatMap(DelayReason.init(code:)),
                                   readyAt: event.readyAt)
            apply(update, at: event.time, origin: 0)
        }
        state = JobState(rawValue: history.state) ?? .notRun
        attempt = history.attempts
        maxAttempts = max(1, history.attempts)
        exitCode = history.exitCode
        reason = history.reason
        executionId = history.executionId
        startedAt = history.startedAt
        endedAt = history.endedAt
        reusedFrom = history.reusedFrom
    }
}
