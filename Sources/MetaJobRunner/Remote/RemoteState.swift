import Foundation
import MetaJobCore

/// The remote executor's protocol with the Control Service as a state machine: the runner's calls, the
/// service's answers, transport failures and timer fires go in (`RemoteInput`); requests to send, wake-ups and
/// events for the runner come out (`RemoteAction`). It does no I/O and reads no clock: `handle` is given the
/// time, so tests drive every rule with a manual clock and no socket.
///
/// Request budget per job: one start, at most one status check per interval (the check that sees the end carries
/// the final status; a job whose usual duration is known has them timed by it, see `RemoteState+Expectation`),
/// one logs read — plus, only while someone watches the job, a logs read every few seconds.
/// Start refusals (409, 5xx, unreachable) go to the runner's delay queue; failed status checks back off. A
/// start that may have created an execution without saying so (no answer, a lost connection, 5xx) is looked
/// for in the job's executions before the job is started again.
struct RemoteState {
    /// Seconds between two status checks of one execution.
    let interval: Double
    /// The deployment executions are started from.
    let deploymentId: String
    /// The service's root, for messages.
    let serviceURL: String
    /// What jobs usually take (by job name): their status checks are timed by it.
    let expected: [String: DurationEstimate]
    /// What may be shown of what the service says; the executor keeps it current (tokens seen so far).
    var words = ServiceMessage(secrets: [])

    var attempts: [AttemptKey: RemoteAttempt] = [:]
    /// Executions to re-attach instead of starting: job name → execution id.
    var adoptions: [String: String]
    /// Jobs whose start may have created an execution nobody could look for yet (no answer, and the lists
    /// after it failed too): job name → when that start was sent. Their next start lists before it posts,
    /// so an outage cannot make us start one job twice.
    var unsettledStarts: [String: Double] = [:]
    var starts = 0
    /// Requests in flight and wake-ups asked for, by ticket.
    private var tickets: [Int: RemoteTicket] = [:]
    private var nextTicket = 1
    /// Jobs someone is looking at (graph indices).
    var watched: Set<Int> = []

    // The input being handled: its time, and the actions it produced.
    var now = 0.0
    var wall = 0.0
    private var actions: [RemoteAction] = []

    /// A machine for the service in `configuration`, whose root `serviceURL` names in messages.
    init(configuration: RemoteConfiguration, serviceURL: String) {
        interval = max(0.05, configuration.statusCheckSeconds)
        deploymentId = configuration.deploymentId
        self.serviceURL = serviceURL
        adoptions = configuration.adoptExecutions
        expected = configuration.expectedDurations
    }

    /// Seconds between two logs reads of a watched job: at most 5, never more often than status checks.
    var livePeriod: Double { min(5, interval) }

    /// Takes one input at monotonic time `now` (seconds; wake-ups are asked for on this clock) and wall time
    /// `wall` (seconds since 1970, compared with the service's start times); returns what to do, in order.
    mutating func handle(_ input: RemoteInput, now: Double, wall: Double) -> [RemoteAction] {
        self.now = now
        self.wall = wall
        actions.removeAll()
        switch input {
        case .start(let request): start(request)
        case let .terminate(key, grace): terminate(key, graceSeconds: grace)
        case let .answered(ticket, result): answered(ticket, result)
        case .timer(let ticket): fired(ticket)
        case .watch(let jobs): watch(jobs)
        }
        return actions
    }

    // MARK: - Routing

    private mutating func answered(_ id: Int, _ result: Result<HTTPReply, TransportFailure>) {
        guard let ticket = tickets.removeValue(forKey: id), attempts[ticket.key]?.slot == ticket.slot else { return }
        let key = ticket.key
        switch ticket.purpose {
        case .start: startAnswered(key, result)
        case .list: listAnswered(key, result)
        case .reattach(let id): reattachAnswered(key, id, result)
        case .status: statusAnswered(key, result)
        case .cancel: cancelAnswered(key, result)
        case let .finalLogs(state, reason): finalLogsAnswered(key, state, reason, result)
        case .liveLogs: liveLogsAnswered(key, result)
        case .relist, .poll, .liveTimer: break
        }
    }

    private mutating func fired(_ id: Int) {
        guard let ticket = tickets.removeValue(forKey: id), let attempt = attempts[ticket.key],
              attempt.slot == ticket.slot else { return }
        switch ticket.purpose {
        case .relist:
            findOurs(ticket.key)
        case .poll:
            guard attempt.phase == .polling, attempt.pollTimer == id else { return }
            attempts[ticket.key]?.pollTimer = nil
            attempts[ticket.key]?.checksMade += 1
            attempts[ticket.key]?.lastCheck = now
            send(ticket.key, .status, "GET", attempt.executionPath)
        case .liveTimer:
            guard attempt.phase == .polling, attempt.liveTimer == id, watched.contains(ticket.key.job) else { return }
            attempts[ticket.key]?.liveTimer = nil
            readLive(ticket.key)
        default:
            break
        }
    }

    // MARK: - Performing

    /// Sends a request for `key`'s attempt; its answer comes back to `purpose`.
    mutating func send(_ key: AttemptKey, _ purpose: RemoteTicket.Purpose, _ method: String, _ path: String,
                               body: Data? = nil) {
        let ticket = issue(key, purpose)
        actions.append(.send(RemoteRequest(ticket: ticket, method: method, path: path, body: body)))
    }

    /// Asks for a wake-up for `key`'s attempt `delay` seconds from now; returns its ticket.
    @discardableResult
    mutating func wake(_ key: AttemptKey, _ purpose: RemoteTicket.Purpose, after delay: Double) -> Int {
        let ticket = issue(key, purpose)
        actions.append(.wake(ticket: ticket, at: now + delay))
        return ticket
    }

    private mutating func issue(_ key: AttemptKey, _ purpose: RemoteTicket.Purpose) -> Int {
        let ticket = nextTicket
        nextTicket += 1
        tickets[ticket] = RemoteTicket(key: key, slot: attempts[key]?.slot ?? -1, purpose: purpose)
        return ticket
    }

    mutating func emit(_ event: ExecutorEvent) {
        actions.append(.emit(event))
    }

    /// Why a request got no usable answer, in a few words.
    static func why(_ result: Result<HTTPReply, TransportFailure>) -> String {
        switch result {
        case .success(let reply): return "HTTP \(reply.status)"
        case .failure(.timedOut): return "timed out"
        case .failure(.unreachable(let message)), .failure(.lost(let message)), .failure(.token(let message, _)): return message
        }
    }
}
