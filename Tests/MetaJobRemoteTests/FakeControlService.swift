import FlyingFox
import MetaJobTestSupport
import Foundation

/// A VDK Control Service on 127.0.0.1 (random free port) that plays the Data Jobs API's execution
/// endpoints with scripted answers per job, and records every request it gets.
///
/// Chaos knobs for outages in the middle of a run: `failNext` (bursts of 503), `delayAnswers` (answers slower
/// than the client's timeout), `goDown`/`comeBack` (connections refused, then the service back on the same
/// port with everything it knew), `conflictWhileRunning` (409 for a start while the job runs, as the real
/// service answers).
final class FakeControlService: @unchecked Sendable {
    /// The kinds of API request a chaos knob applies to.
    enum Endpoint: Sendable, Hashable, CaseIterable {
        case start, status, list, logs, cancel, token
    }

    /// What a burst does to a request it catches.
    enum Fault: Sendable {
        /// Answered with this status; the request has no effect (an overloaded service refusing work).
        case answer(Int)
        /// The request takes effect, then is answered with this status (a gateway giving up on a slow backend).
        case afterEffect(Int)
        /// The request takes effect, then the connection is closed with no answer.
        case drop
    }

    /// What the service does for one data job.
    struct Script: Sendable {
        /// Answers to successive start requests before one is accepted (e.g. [409] or [500]); then 202.
        var refusals: [Int] = []
        /// For a refusal: the service's message.
        var refusalMessage = "Data job is already executing"
        /// Seconds the start answer is delayed *after* the execution was created (to hit the client's timeout), for the first start.
        var slowStartSeconds: Double = 0
        /// Seconds an execution runs.
        var runSeconds: Double = 0.2
        /// Its final status.
        var finalStatus = "succeeded"
        var finalMessage: String?
        /// The logs text; nil answers the logs read with 404.
        var logs: String? = "line one\nline two\n"
        var logsURL: String? = "https://logs.example.com/jobs?filter=job"
        /// The first this many status reads are answered 503 (an outage while the job runs).
        var statusOutages = 0
        /// Logs that grow as the execution runs: the text `elapsed` seconds after it began (no longer growing
        /// once it ended). Wins over `logs`.
        var growingLogs: (@Sendable (_ elapsed: Double) -> String)? = nil
    }

    /// One request as received.
    struct Request: Sendable {
        var method: String
        var path: String
        var query: String
        var headers: [String: String]
        var body: Data
        var time: Date
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    }

    struct Execution {
        var id: String
        var job: String
        var startedBy: String
        var start: Date
        var end: Date
        var finalStatus: String
        var message: String?
        var logsURL: String?
        var cancelled = false
        func status(at now: Date) -> String { cancelled ? "cancelled" : (now < end ? "running" : finalStatus) }
        func running(at now: Date) -> Bool { !cancelled && now < end }
    }

    private let lock = NSLock()
    private var scripts: [String: Script]
    private var startsSeen: [String: Int] = [:]
    private var recorded: [Request] = []
    private var executions: [Execution] = []
    private var peakRunning = 0
    private var statusReads: [String: Int] = [:]
    /// Bursts of faults still to hand out: the next `remaining` requests to `endpoints` get `fault`.
    private var bursts: [(remaining: Int, endpoints: Set<Endpoint>, fault: Fault)] = []
    /// Seconds an answer is held back after it was decided (the request has taken effect), per endpoint.
    private var slowness: [Endpoint: Double] = [:]
    private var conflicts = false
    /// `expires_in` of the access tokens the token endpoint hands out.
    var tokenLifetime: Double = 3600
    /// Requests answered 401 so far.
    private(set) var unauthorized = 0
    private var server: HTTPServer!
    private var task: Task<Void, Error>?
    private(set) var port: UInt16 = 0
    /// When set, every API request must carry `Authorization: Bearer <this>`; otherwise 401.
    let expectedAccessToken: String?
    /// The refresh token the token endpoint accepts.
    let expectedRefreshToken: String?

    init(scripts: [String: Script], accessToken: String? = nil, refreshToken: String? = nil) async throws {
        self.scripts = scripts
        self.expectedAccessToken = accessToken
        self.expectedRefreshToken = refreshToken
        try await listen(on: 0)
    }

    /// Starts a server on `port` (0: any free one) that answers with this service's state.
    private func listen(on port: UInt16) async throws {
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: port)
        let server = HTTPServer(address: address, timeout: 30, logger: .disabled)
        await server.appendRoute("/*") { [unowned self] request in
            try await self.handle(request)
        }
        self.server = server
        // Its own thread: blocked cooperative threads must not silence the service (see DedicatedExecutor).
        task = Task(executorPreference: DedicatedExecutor(label: "control-service")) { try await server.run() }
        try await server.waitUntilListening(timeout: 60)  // returns when listening; 60 s only for a starved pool
        guard case .ip4(_, let bound)? = await server.listeningAddress else { throw CocoaError(.fileNoSuchFile) }
        self.port = bound
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var tokenURL: String { url + "/oauth/token" }

    func stop() async {
        await server.stop(timeout: 1)
        task?.cancel()
    }

    // MARK: - Chaos

    /// Stops listening: from now on connections are refused. Executions keep running (their clocks go on).
    func goDown() async {
        await server.stop(timeout: 0)
        task?.cancel()
    }

    /// Listens again on the same port, with every execution and count it had before `goDown`.
    func comeBack() async throws {
        try await listen(on: port)
    }

    /// The next `count` requests to any of `endpoints` are answered `status` (and have no other effect).
    func failNext(_ count: Int, of endpoints: Set<Endpoint>, status: Int = 503) {
        faultNext(count, of: endpoints, .answer(status))
    }

    /// The next `count` requests to any of `endpoints` get `fault`.
    func faultNext(_ count: Int, of endpoints: Set<Endpoint>, _ fault: Fault) {
        lock.lock(); bursts.append((count, endpoints, fault)); lock.unlock()
    }

    /// Answers to `endpoints` are held back `seconds` after the request took effect; 0 makes them fast again.
    func delayAnswers(by seconds: Double, of endpoints: Set<Endpoint>) {
        lock.lock()
        for e in endpoints { slowness[e] = seconds > 0 ? seconds : nil }
        lock.unlock()
    }

    /// When true, a start while an execution of the job runs is answered 409, as the real service does.
    var conflictWhileRunning: Bool {
        get { lock.lock(); defer { lock.unlock() }; return conflicts }
        set { lock.lock(); conflicts = newValue; lock.unlock() }
    }

    /// Ends `job`'s running executions now, with their scripted final status: lets a test end a job at a
    /// chosen moment (during an outage, say) instead of guessing a run time.
    func endRunning(_ job: String) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        for i in executions.indices where executions[i].job == job && executions[i].running(at: now) {
            executions[i].end = now
        }
    }

    /// Executions created for `job` (each accepted start creates one).
    func executions(of job: String) -> [Execution] { allExecutions.filter { $0.job == job } }

    /// Which knob-relevant endpoint `request` is, if any.
    static func endpoint(of request: Request) -> Endpoint? {
        if request.path == "/oauth/token" { return .token }
        let rest = request.path.split(separator: "/").dropFirst(5)
        switch (request.method, rest.count) {
        case ("POST", 3): return .start
        case ("GET", 1): return .list
        case ("GET", 2): return .status
        case ("GET", 3): return .logs
        case ("DELETE", 2): return .cancel
        default: return nil
        }
    }

    /// Seconds answers to `endpoint` are held back now.
    private func extraDelay(_ endpoint: Endpoint?) -> Double {
        lock.lock(); defer { lock.unlock() }
        return endpoint.flatMap { slowness[$0] } ?? 0
    }

    /// Takes one fault from the first burst that covers `endpoint`.
    private func takeFault(_ endpoint: Endpoint?) -> Fault? {
        guard let endpoint else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let i = bursts.firstIndex(where: { $0.remaining > 0 && $0.endpoints.contains(endpoint) }) else { return nil }
        bursts[i].remaining -= 1
        return bursts[i].fault
    }

    /// Faults not handed out yet (0 when every burst was used up).
    var faultsLeft: Int { lock.lock(); defer { lock.unlock() }; return bursts.reduce(0) { $0 + $1.remaining } }

    // MARK: - What happened

    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return recorded }
    /// API requests only (not the token endpoint).
    var apiRequests: [Request] { requests.filter { !$0.path.hasPrefix("/oauth") } }
    var allExecutions: [Execution] { lock.lock(); defer { lock.unlock() }; return executions }
    /// The most executions running at once, as the service saw it.
    var maxRunning: Int { lock.lock(); defer { lock.unlock() }; return peakRunning }

    func requests(_ method: String, suffix: String = "", job: String? = nil) -> [Request] {
        apiRequests.filter { $0.method == method && $0.path.hasSuffix(suffix) && (job == nil || $0.path.contains("/jobs/\(job!)/")) }
    }

    // MARK: - The API

    private func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try await request.bodyData
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        let entry = Request(method: request.method.rawValue, path: request.path, query: request.target.query(percentEncoded: false),
                            headers: headers, body: body, time: Date())
        let endpoint = Self.endpoint(of: entry)
        let fault = takeFault(endpoint)
        var (response, slow) = answer(entry, fault)
        slow += extraDelay(endpoint)
        // A slow answer comes after the request took effect: the client's timeout hits a started execution.
        if slow > 0 { try await Task.sleep(nanoseconds: UInt64(slow * 1e9)) }
        switch fault {
        case .afterEffect(let status)?: response = json(status, ["messages": ["gateway gave up (burst)"]])
        case .drop?: response = HTTPResponse(webSocket: ConnectionDropper())
        case .answer?, nil: break
        }
        return response
    }

    private func answer(_ entry: Request, _ fault: Fault?) -> (HTTPResponse, Double) {
        lock.lock(); recorded.append(entry); lock.unlock()
        if case .answer(let status)? = fault {
            return (json(status, ["messages": ["service unavailable (burst)"]]), 0)
        }
        let request = entry
        if request.path == "/oauth/token" { return (token(entry), 0) }
        if let expectedAccessToken, entry.headers["authorization"] != "Bearer " + expectedAccessToken {
            lock.lock(); unauthorized += 1; lock.unlock()
            return (json(401, ["messages": ["The access token is missing or not valid."]]), 0)
        }
        let parts = request.path.split(separator: "/").map(String.init)
        // data-jobs / for-team / T / jobs / J / ...
        guard parts.count >= 6, parts[0] == "data-jobs", parts[1] == "for-team", parts[3] == "jobs" else {
            return (json(404, ["messages": ["no such endpoint \(request.path)"]]), 0)
        }
        let job = parts[4]
        let rest = Array(parts[5...])
        switch (entry.method, rest.count) {
        case ("POST", 3) where rest[0] == "deployments" && rest[2] == "executions":
            return start(job: job, request: entry)
        case ("GET", 1) where rest[0] == "executions":
            let now = Date()
            lock.lock(); let list = executions.filter { $0.job == job }; lock.unlock()
            return (json(200, list.map { describe($0, now) }), 0)
        case ("GET", 2) where rest[0] == "executions":
            guard let e = execution(rest[1]) else { return (json(404, ["messages": ["no execution \(rest[1])"]]), 0) }
            lock.lock()
            let reads = statusReads[e.id, default: 0]
            statusReads[e.id] = reads + 1
            let outage = reads < (scripts[job]?.statusOutages ?? 0)
            lock.unlock()
            if outage { return (json(503, ["messages": ["service unavailable"]]), 0) }
            return (json(200, describe(e, Date())), 0)
        case ("DELETE", 2) where rest[0] == "executions":
            lock.lock()
            guard let i = executions.firstIndex(where: { $0.id == rest[1] }) else { lock.unlock(); return (json(404, ["messages": ["no execution"]]), 0) }
            if executions[i].running(at: Date()) { executions[i].cancelled = true }
            lock.unlock()
            return (HTTPResponse(statusCode: .ok), 0)
        case ("GET", 3) where rest[0] == "executions" && rest[2] == "logs":
            guard let e = execution(rest[1]) else { return (json(404, ["messages": ["no execution"]]), 0) }
            lock.lock(); let script = scripts[e.job]; lock.unlock()
            let elapsed = min(Date(), e.end).timeIntervalSince(e.start)
            guard let logs = script?.growingLogs?(elapsed) ?? script?.logs else { return (json(404, ["messages": ["logs are available only while the execution runs"]]), 0) }
            return (json(200, ["logs": logs]), 0)
        default:
            return (json(404, ["messages": ["no such endpoint \(entry.method) \(request.path)"]]), 0)
        }
    }

    private func start(job: String, request: Request) -> (HTTPResponse, Double) {
        lock.lock()
        let script = scripts[job] ?? Script()
        let n = startsSeen[job, default: 0]
        startsSeen[job] = n + 1
        if n < script.refusals.count {
            lock.unlock()
            let code = script.refusals[n]
            return (json(code, ["messages": [code == 409 ? script.refusalMessage : "refused with \(code)"]]), 0)
        }
        let now = Date()
        if conflicts, executions.contains(where: { $0.job == job && $0.running(at: now) }) {
            lock.unlock()
            return (json(409, ["messages": [script.refusalMessage]]), 0)
        }
        let id = "\(job)-\(executions.count + 1)"
        let startedBy = request.json?["started_by"] as? String ?? ""
        executions.append(Execution(id: id, job: job, startedBy: startedBy, start: now, end: now.addingTimeInterval(script.runSeconds),
                                    finalStatus: script.finalStatus, message: script.finalMessage, logsURL: script.logsURL))
        peakRunning = max(peakRunning, executions.filter { $0.running(at: now) }.count)
        let slow = (n == script.refusals.count) ? script.slowStartSeconds : 0
        lock.unlock()
        var headers = HTTPHeaders()
        headers[HTTPHeader("Location")] = "/data-jobs/for-team/t/jobs/\(job)/executions/\(id)"
        return (HTTPResponse(statusCode: HTTPStatusCode(202, phrase: "Accepted"), headers: headers), slow)
    }

    /// Creates an execution of `job` as if an earlier run had started it `ago` seconds ago (for re-attach tests).
    func seed(job: String, startedBy: String, runSeconds: Double) -> String {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let id = "\(job)-seeded-\(executions.count + 1)"
        let script = scripts[job] ?? Script()
        executions.append(Execution(id: id, job: job, startedBy: startedBy, start: now, end: now.addingTimeInterval(runSeconds),
                                    finalStatus: script.finalStatus, message: script.finalMessage, logsURL: script.logsURL))
        return id
    }

    private func token(_ request: Request) -> HTTPResponse {
        let form = String(decoding: request.body, as: UTF8.self)
        guard let expectedRefreshToken, let access = expectedAccessToken,
              form == "grant_type=refresh_token&refresh_token=\(expectedRefreshToken)",
              request.headers["content-type"] == "application/x-www-form-urlencoded" else {
            return json(400, ["error": "invalid_grant"])
        }
        lock.lock(); let lifetime = tokenLifetime; lock.unlock()
        return json(200, ["access_token": access, "expires_in": lifetime, "token_type": "bearer"])
    }

    private func execution(_ id: String) -> Execution? {
        lock.lock(); defer { lock.unlock() }
        return executions.first { $0.id == id }
    }

    private func describe(_ e: Execution, _ now: Date) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var o: [String: Any] = ["id": e.id, "job_name": e.job, "status": e.status(at: now), "type": "manual",
                                "start_time": formatter.string(from: e.start), "started_by": e.startedBy]
        if let url = e.logsURL { o["logs_url"] = url }
        if let m = e.message, !e.running(at: now) { o["message"] = m }
        return o
    }

    private func json(_ code: Int, _ object: Any) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        var headers = HTTPHeaders()
        headers[HTTPHeader("Content-Type")] = "application/json"
        return HTTPResponse(statusCode: HTTPStatusCode(code, phrase: "Status"), headers: headers, body: data)
    }
}
