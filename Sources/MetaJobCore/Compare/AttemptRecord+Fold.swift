extension [AttemptRecord] {
    /// Folds one state change of a job (a live `JobUpdate` or a stored event) into its attempts: a start opens
    /// an attempt, the first final state of that attempt closes it. A failed attempt that waits for its retry is
    /// announced with its final state first (`RunState`), so its exit code and reason are kept here even though
    /// the job's own fields move on to the delay.
    public mutating func note(_ state: JobState, attempt: Int, exitCode: Int32?, reason: String?, at time: Double) {
        guard attempt >= 1 else { return }
        if state == .submitted || state == .running {
            if last?.attempt != attempt { append(AttemptRecord(attempt: attempt, start: time)) }
            return
        }
        guard state.isFinal, let i = indices.last, self[i].attempt == attempt, self[i].end == nil else { return }
        self[i].end = time
        self[i].state = state
        self[i].exitCode = exitCode
        self[i].reason = reason
    }

    /// The attempts of a recorded job, from its stored state changes (oldest first).
    public init(history: JobHistory) {
        self.init()
        for event in history.events {
            note(JobState(rawValue: event.state) ?? .notRun, attempt: event.attempt, exitCode: event.exitCode,
                 reason: event.reason, at: event.time)
        }
    }
}
