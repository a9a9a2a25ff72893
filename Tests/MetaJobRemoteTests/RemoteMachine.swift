import Foundation
import MetaJobCore
@testable import MetaJobRunner

/// Drives a `RemoteState` with no socket and no sleeping: a manual clock, the requests it asked for, the
/// wake-ups it is owed (fired in time order when the clock is moved on) and the events it emitted.
struct RemoteMachine {
    static let team = "team-a"
    static let startedBy = "manual/test"

    var state: RemoteState
    /// Monotonic seconds; wall time is `wallOrigin + now`.
    private(set) var now = 0.0
    let wallOrigin = 1_800_000_000.0
    /// Every request asked for, in order.
    private(set) var sent: [RemoteRequest] = []
    /// Requests not answered yet, by ticket.
    private(set) var open: [Int: RemoteRequest] = [:]
    /// Wake-ups owed: ticket → time.
    private(set) var wakes: [Int: Double] = [:]
    /// Every event emitted, as text (see `describe`).
    private(set) var events: [String] = []
    /// Every wake-up asked for: (asked at, due at).
    private(set) var wakeLog: [(asked: Double, due: Double)] = []

    init(interval: Double = 40, adopt: [String: String] = [:], secrets: [String] = [], expected: [String: DurationEstimate] = [:]) {
        let configuration = RemoteConfiguration(baseURL: URL(string: "https://cs.example.com/api")!, statusCheckSeconds: interval,
                                                adoptExecutions: adopt, expectedDurations: expected)
        state = RemoteState(configuration: configuration, serviceURL: "https://cs.example.com/api")
        state.words = ServiceMessage(secrets: secrets)
    }

    var wall: Double { wallOrigin + now }

    static func key(_ job: Int, _ attempt: Int = 1) -> AttemptKey { AttemptKey(job: job, attempt: attempt) }

    static func request(_ name: String, job: Int, attempt: Int = 1, team: String? = RemoteMachine.team,
                        arguments: JSONValue? = nil) -> LaunchRequest {
        LaunchRequest(key: key(job, attempt), jobName: name, teamName: team, argv: [], workingDirectory: "/",
                      arguments: arguments, startedBy: startedBy)
    }

    // MARK: - Inputs

    mutating func feed(_ input: RemoteInput) {
        for action in state.handle(input, now: now, wall: wall) {
            switch action {
            case .send(let request):
                sent.append(request)
                open[request.ticket] = request
            case let .wake(ticket, at):
                wakes[ticket] = at
                wakeLog.append((now, at))
            case .emit(let event):
                events.append(Self.describe(event))
            }
        }
    }

    mutating func start(_ name: String, job: Int, attempt: Int = 1, team: String? = RemoteMachine.team) {
        feed(.start(Self.request(name, job: job, attempt: attempt, team: team)))
    }

    mutating func terminate(job: Int, attempt: Int = 1, grace: Double = 10) {
        feed(.terminate(Self.key(job, attempt), graceSeconds: grace))
    }

    mutating func watch(_ jobs: Set<Int>) { feed(.watch(jobs)) }

    /// Answers the oldest open request matching `method` and `suffix` of its path; returns it.
    @discardableResult
    mutating func answer(_ method: String, _ suffix: String = "", _ status: Int, json: Any? = nil,
                         headers: [String: String] = [:]) -> RemoteRequest? {
        let body = json.map { try! JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) } ?? Data()
        return reply(method, suffix, .success(HTTPReply(status: status, headers: headers, body: body)))
    }

    /// Fails the oldest open request matching `method` and `suffix`.
    @discardableResult
    mutating func fail(_ method: String, _ suffix: String = "", _ failure: TransportFailure) -> RemoteRequest? {
        reply(method, suffix, .failure(failure))
    }

    /// Hands `result` to the oldest open request matching `method` and `suffix`.
    @discardableResult
    mutating func reply(_ method: String, _ suffix: String, _ result: Result<HTTPReply, TransportFailure>) -> RemoteRequest? {
        guard let request = open.values.sorted(by: { $0.ticket < $1.ticket })
            .first(where: { $0.method == method && $0.path.hasSuffix(suffix) }) else { return nil }
        open[request.ticket] = nil
        feed(.answered(ticket: request.ticket, result))
        return request
    }

    /// Answers a start with 202 and the new execution's `Location`.
    mutating func accept(_ job: String, id: String) {
        answer("POST", "/executions", 202, headers: ["location": "/data-jobs/for-team/\(Self.team)/jobs/\(job)/executions/\(id)"])
    }

    /// Moves the clock to `time`, firing every wake-up due by then in time order (each at its own time).
    mutating func advance(to time: Double) {
        while let next = wakes.filter({ $0.value <= time }).min(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            wakes[next.key] = nil
            now = max(now, next.value)
            feed(.timer(ticket: next.key))
        }
        now = max(now, time)
    }

    mutating func advance(by seconds: Double) { advance(to: now + seconds) }

    /// Moves the clock on, wake-up by wake-up, until one of them makes the machine do something (a wake-up it
    /// no longer wants does nothing); returns the time of that one.
    @discardableResult
    mutating func advanceToNextWake() -> Double? {
        let before = (sent.count, events.count)
        while let next = wakes.values.min() {
            advance(to: next)
            if (sent.count, events.count) != before { return next }
        }
        return nil
    }

    // MARK: - Looking

    /// Requests asked for, as "METHOD path", in order.
    var requestLines: [String] { sent.map { "\($0.method) \($0.path)" } }

    func requests(_ method: String, _ suffix: String = "") -> [RemoteRequest] {
        sent.filter { $0.method == method && $0.path.hasSuffix(suffix) }
    }

    /// The service's description of an execution, as its API gives it.
    static func execution(_ id: String, _ status: String, startedBy: String = RemoteMachine.startedBy, start: Double? = nil,
                          message: String? = nil, logsURL: String? = nil) -> [String: Any] {
        var object: [String: Any] = ["id": id, "status": status, "started_by": startedBy]
        if let start {
            let formatter = ISO8601DateFormatter()
            object["start_time"] = formatter.string(from: Date(timeIntervalSince1970: start))
        }
        if let message { object["message"] = message }
        if let logsURL { object["logs_url"] = logsURL }
        return object
    }

    /// An event in words: `started job#0/attempt 1 a-1`, `refused job#0/attempt 1 conflict: …`,
    /// `finished job#0/attempt 1 user_error: …`, `stdout job#0/attempt 1 ["x", "y"]`.
    static func describe(_ event: ExecutorEvent) -> String {
        switch event {
        case let .started(key, id): return "started \(key) \(id ?? "-")"
        case let .refused(key, reason):
            switch reason {
            case .conflict(let m): return "refused \(key) conflict: \(m)"
            case .serverError(let m): return "refused \(key) server_error: \(m)"
            case .retryBackoff: return "refused \(key) retry_backoff"
            }
        case let .finished(key, .status(state, _, reason)): return "finished \(key) \(state.rawValue): \(reason ?? "-")"
        case let .finished(key, outcome): return "finished \(key) \(outcome)"
        case let .output(key, stream, lines):
            return "\(stream == .stdout ? "stdout" : "stderr") \(key) \(lines.map { String(decoding: Array($0), as: UTF8.self) })"
        }
    }
}
