extension RunSnapshot {
    /// The snapshot of `state` (the runner's state machine) as of event `sequence`, with its times turned into
    /// wall times from `wallClockOrigin`.
    public init(info: RunInfo, state: RunState, sequence: UInt64, wallClockOrigin: Double) {
        let names = state.graph.names
        let outline = RunOutline(
            runId: info.runId, metaJobName: info.metaJobName, startedBy: info.startedBy,
            jobs: names.indices.map { j in
                let definition = info.jobs.indices.contains(j) ? info.jobs[j] : nil
                return JobOutline(name: names[j], team: definition?.teamName,
                                  dependsOn: state.graph.dependencies[j].map { names[$0] },
                                  retries: state.plans[j].retries, failDagOnError: state.plans[j].failDagOnError)
            })
        let jobs = state.jobs.map { r -> JobProgress in
            var p = JobProgress(state: r.state, maxAttempts: r.maxAttempts)
            p.attempt = r.attempt
            p.exitCode = r.exitCode
            p.reason = r.reason
            p.executionId = r.executionId
            p.startedAt = r.startedAt.map { wallClockOrigin + $0 }
            p.endedAt = r.endedAt.map { wallClockOrigin + $0 }
            p.delayReason = r.delayReason
            p.readyAt = r.readyAt.map { wallClockOrigin + $0 }
            p.reusedFrom = r.reusedFrom
            if let start = p.startedAt, r.attempt > 0 {
                p.spans = [AttemptSpan(attempt: r.attempt, start: start, end: p.endedAt, state: r.state)]
            }
            return p
        }
        self.init(outline: outline, jobs: jobs, phase: state.phase, paused: state.paused,
                  limit: state.settings.maxConcurrentRunningJobs, sequence: sequence, wallClockOrigin: wallClockOrigin)
    }
}
