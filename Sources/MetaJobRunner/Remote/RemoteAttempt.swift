import Foundation

/// One attempt of one job on the Control Service, as the remote executor tracks it.
/// `@unchecked Sendable`: only touched on the executor's queue (timers and answers hop onto it).
final class RemoteAttempt: @unchecked Sendable {
    enum Phase {
        /// The start request (or the list after a start that timed out) is in flight.
        case starting
        /// The execution runs; its status is checked every interval.
        case polling
        /// The execution ended; its logs are being read.
        case finishing
    }

    let request: LaunchRequest
    let team: String
    /// This attempt's place in the order of starts: spreads the first status checks over the interval.
    let slot: Int
    var phase: Phase = .starting
    var executionId: String?
    var logsURL: String?
    /// Wall-clock seconds when the last start request was sent (an execution begun after it is ours).
    var submittedAt: Double = 0
    /// Start requests that timed out so far.
    var startTimeouts = 0
    /// List requests that failed in a row after a start timed out.
    var listFailures = 0
    /// Status checks that failed in a row (connection errors, 5xx): they back off.
    var pollFailures = 0
    /// Bumped for each scheduled check, so that a stale timer does nothing.
    var pollGeneration = 0
    var cancelRequested = false
    var cancelSent = false

    init(request: LaunchRequest, team: String, slot: Int) {
        self.request = request
        self.team = team
        self.slot = slot
    }

    /// The job's path on the service.
    var jobPath: String { ControlServiceClient.jobPath(team: team, job: request.jobName) }

    /// The execution's path on the service (only once it has an id).
    var executionPath: String { jobPath + "/executions/" + ControlServiceClient.segment(executionId ?? "") }
}
