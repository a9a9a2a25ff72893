// Live logs: while someone watches a running job, its logs are read every `livePeriod` and only the new
// lines passed on. Nobody watching: no read before the end, so the request budget is what it was.
extension RemoteState {
    /// From now on exactly `jobs` are watched: a newly watched running job is read at once, an unwatched one
    /// is no longer read until its end.
    mutating func watch(_ jobs: Set<Int>) {
        let added = jobs.subtracting(watched)
        watched = jobs
        for (key, attempt) in attempts where attempt.phase == .polling {
            if !jobs.contains(key.job) {
                attempts[key]?.liveTimer = nil
            } else if added.contains(key.job) && !attempt.liveReading {
                attempts[key]?.liveTimer = nil
                readLive(key)
            }
        }
    }

    /// The next live read of `key`'s logs `delay` seconds from now.
    mutating func scheduleLive(_ key: AttemptKey, after delay: Double) {
        let ticket = wake(key, .liveTimer, after: delay)
        attempts[key]?.liveTimer = ticket
    }

    mutating func readLive(_ key: AttemptKey) {
        attempts[key]?.liveReading = true
        send(key, .liveLogs, "GET", attempts[key]!.executionPath + "/logs")
    }

    mutating func liveLogsAnswered(_ key: AttemptKey, _ result: Result<HTTPReply, TransportFailure>) {
        attempts[key]?.liveReading = false
        let attempt = attempts[key]!
        if let text = Self.logsText(result) {
            // Lines of a read answered after the final read was sent still count: the cursor keeps the seam.
            attempts[key]?.liveFailures = 0
            let taken = attempts[key]!.logs.take(text, final: false)
            passOn(key, taken, executionId: attempt.executionId ?? "")
        } else {
            attempts[key]?.liveFailures += 1
        }
        guard attempt.phase == .polling, watched.contains(key.job), attempts[key]?.liveTimer == nil else { return }
        let failures = attempts[key]!.liveFailures
        scheduleLive(key, after: failures == 0 ? livePeriod : Self.backOff(livePeriod, failures: failures))
    }
}
