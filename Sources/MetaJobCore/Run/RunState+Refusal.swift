extension RunState {
    /// Why `command` would change nothing now (worded for the user), or nil when the state machine takes it.
    /// Mirrors the guards of `handle(.command)`; `RunStateTests` checks that a refused command yields no action.
    public func refusal(for command: RunCommand) -> String? {
        func name(_ j: Int) -> String { graph.names[j] }
        switch command {
        case .retry(let j):
            guard jobs.indices.contains(j) else { return "there is no job #\(j)" }
            let state = jobs[j].state
            guard state.isFailure || state == .notRun else {
                return "\(name(j)) is \(state.rawValue): only a failed, cancelled or not-run job can be retried"
            }
        case .retryFailed:
            guard jobs.contains(where: { $0.state.isFailure }) else { return "no job has failed" }
        case .retryDownstream(let j):
            guard jobs.indices.contains(j) else { return "there is no job #\(j)" }
            guard jobs[j].state.isFinal else { return "\(name(j)) is still \(jobs[j].state.rawValue)" }
        case .cancel(let j):
            guard jobs.indices.contains(j) else { return "there is no job #\(j)" }
            switch jobs[j].state {
            case .submitted, .running:
                if jobs[j].termination != nil { return "\(name(j)) is already being stopped" }
            case .pending, .queued, .delayed:
                break
            default:
                return "\(name(j)) has already ended (\(jobs[j].state.rawValue))"
            }
        case .stop:
            switch phase {
            case .notStarted: return "the run has not started"
            case .finished: return "the run has already ended"
            case .running: break
            }
        case .pause:
            if paused { return "the run is already paused" }
        case .resume:
            if !paused { return "the run is not paused" }
        case .setConcurrency(let n):
            if max(1, n) == settings.maxConcurrentRunningJobs { return "the limit is already \(settings.maxConcurrentRunningJobs)" }
        }
        return nil
    }
}
