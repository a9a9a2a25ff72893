import FlyingFox
import Foundation

/// A VDK Control Service on 127.0.0.1 (random free port) that plays the Data Jobs API's execution
/// endpoints with scripted answers per job, and records every request it gets.
final class FakeControlService: @unchecked Sendable {
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
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        server = HTTPServer(address: address, timeout: 30, logger: .disabled)
        let server = self.server!
        await server.appendRoute("/*") { [unowned self] request in
            try await self.handle(request)
        }
        task = Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port)? = await server.listeningAddress else { throw CocoaError(.fileNoSuchFile) }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var tokenURL: String { url + "/oauth/token" }

    func stop() async {
        await server.stop(timeout: 1)
        task?.cancel()
    }

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
        let (response, slow) = answer(entry)
        // A slow answer comes after the execution was created: the client's timeout hits a started execution.
        if slow > 0 { try await Task.sleep(nanoseconds: UInt64(slow * 1e9)) }
        return response
    }

    private func answer(_ entry: Request) -> (HTTPResponse, Double) {
        lock.lock(); recorded.append(entry); lock.unlock()
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
            lock.lock(); let logs = scripts[e.job]?.logs; lock.unlock()
            guard let logs else { return (json(404, ["messages": ["logs are available only while the execution runs"]]), 0) }
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
