/// Where a run is: not started, running, or finished with an outcome (a retry can reopen a finished run).
public enum RunPhase: Sendable, Equatable, Codable {
    case notStarted
    case running
    case finished(RunOutcome)
}
