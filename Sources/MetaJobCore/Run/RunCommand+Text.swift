extension RunCommand {
    /// The command worded for people, with job names from `jobNames` (`retry flaky`, `set concurrency 4`): what
    /// the history shows for a command sent from another process.
    public func text(jobNames: [String]) -> String {
        func name(_ j: Int) -> String { jobNames.indices.contains(j) ? jobNames[j] : "job #\(j)" }
        switch self {
        case .retry(let j): return "retry \(name(j))"
        case .retryFailed: return "retry every failed job"
        case .retryDownstream(let j): return "retry \(name(j)) and downstream"
        case .cancel(let j): return "cancel \(name(j))"
        case .stop(let immediate): return immediate ? "stop now" : "stop"
        case .pause: return "pause"
        case .resume: return "unpause"
        case .setConcurrency(let n): return "set concurrency \(n)"
        }
    }
}
