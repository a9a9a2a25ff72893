import MetaJobCore

// Status checks timed by expectation: a job whose usual duration the history knows is checked rarely early
// and densely around its expected end (`StatusCheckSchedule`), within the fixed schedule's request budget.
extension RemoteState {
    /// Seconds from now to `key`'s next status check by its job's expected duration; nil when the job has
    /// none (the fixed interval applies).
    func expectedCheckDelay(_ key: AttemptKey) -> Double? {
        guard let attempt = attempts[key], let estimate = expected[attempt.request.jobName] else { return nil }
        let schedule = StatusCheckSchedule(interval: interval, estimate: estimate)
        guard schedule.denseWindow != nil else { return nil }
        let next = schedule.nextCheck(start: attempt.runningSince, checksMade: attempt.checksMade, lastCheck: attempt.lastCheck)
        return max(0, next - now)
    }
}
