import FlyingFox
import MetaJobTestSupport
import Foundation
import MetaJobCore
import Testing
@testable import MetaJobCLI
import MetaJobRunner

/// `metajob run FILE --executor remote` (the real binary) against a Control Service on loopback.
@Suite("remote execution through the binary", .serialized)
struct RemoteCLITests {
    static let refreshToken = "rt-CLI-SECRET-93b1"
    static let accessToken = "at-CLI-SECRET-7c2e"

    static let pipeline = """
    name: cloud
    team: team-c
    jobs:
      - job_name: extract
        depends_on: []
        arguments: {day: "2026-11-24"}
      - job_name: load
        depends_on: [extract]
    """

    /// The environment of a run against `service`, with credentials.
    static func environment(_ service: LoopbackControlService, history: String) -> [String: String] {
        ["VDK_CONTROL_SERVICE_REST_API_URL": service.url, "VDK_API_TOKEN": refreshToken,
         "VDK_API_TOKEN_AUTHORIZATION_URL": service.url + "/oauth/token",
         "DAGS_TIME_BETWEEN_STATUS_CHECK_SECONDS": "0.05", "DAGS_DELAYED_JOBS_MIN_DELAY_SECONDS": "0.05",
         "DAGS_DELAYED_JOBS_RANDOMIZED_ADDED_DELAY_SECONDS": "0", "METAJOB_HISTORY": history]
    }

    /// Runs the binary off the cooperative pool (the loopback server needs its threads meanwhile).
    static func run(_ args: [String], in dir: String, environment: [String: String]) async throws -> BinaryRunner.Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try BinaryRunner.run(args, in: dir, environment: environment) })
            }
        }
    }

    /// Every byte the run left: its output and the history files (database, WAL, shared memory).
    static func everythingWritten(_ result: BinaryRunner.Result, history: String) -> Data {
        var all = Data(result.stdout.utf8) + Data(result.stderr.utf8)
        for suffix in ["", "-wal", "-shm"] {
            if let bytes = FileManager.default.contents(atPath: history + suffix) { all += bytes }
        }
        return all
    }

    @Test func runsOnTheControlServiceAndNoTokenIsWrittenAnywhere() async throws {
        let service = try await LoopbackControlService(runSeconds: ["extract": 0.3, "load": 0.2],
                                                       logs: "loaded 42 rows\nauth header was Bearer \(Self.accessToken)\n",
                                                       accessToken: Self.accessToken, refreshToken: Self.refreshToken)
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let history = dir + "/history.sqlite"
        let result = try await Self.run(["run", "p.yaml", "--no-tui", "--executor", "remote", "--logs"], in: dir,
                                        environment: Self.environment(service, history: history))
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("loaded 42 rows"), "the logs read at the end reach the output")
        let posts = service.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/executions") }
        #expect(posts.map(\.path) == ["/data-jobs/for-team/team-c/jobs/extract/deployments/production/executions",
                                      "/data-jobs/for-team/team-c/jobs/load/deployments/production/executions"])
        let body = try #require(try JSONSerialization.jsonObject(with: posts[0].body) as? [String: Any])
        #expect(body["started_by"] as? String == "manual/cloud")
        #expect((body["args"] as? [String: Any])?["day"] as? String == "2026-11-24")
        #expect(service.requests.filter { $0.path != "/oauth/token" }.allSatisfy { $0.authorization == "Bearer " + Self.accessToken })
        #expect(service.requests.filter { $0.path == "/oauth/token" }.count == 1, "one token for the whole run")

        // The history keeps the logs and the execution ids.
        let list = try await Self.run(["history", "list", "--json"], in: dir, environment: ["METAJOB_HISTORY": history])
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let runId = try #require(runs.first?["run_id"] as? String)
        let logs = try await Self.run(["history", "logs", runId, "load"], in: dir, environment: ["METAJOB_HISTORY": history])
        #expect(logs.stdout.contains("loaded 42 rows") && logs.stdout.contains("[redacted]"), "\(logs.stdout)")
        let show = try await Self.run(["history", "show", runId, "--json"], in: dir, environment: ["METAJOB_HISTORY": history])
        #expect(show.stdout.contains("\"execution_id\":\"extract-1\"") || show.stdout.contains("\"execution_id\": \"extract-1\""), "\(show.stdout)")

        let written = Self.everythingWritten(result, history: history) + Data(logs.stdout.utf8) + Data(show.stdout.utf8)
        for secret in [Self.refreshToken, Self.accessToken] {
            #expect(written.range(of: Data(secret.utf8)) == nil, "\(secret) leaked")
        }
        await service.stop()
    }

    @Test func refusedTokenFailsTheJobWithTheServersMessageButNotTheToken() async throws {
        let service = try await LoopbackControlService(runSeconds: [:], accessToken: Self.accessToken, refreshToken: Self.refreshToken)
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let history = dir + "/h.sqlite"
        var env = Self.environment(service, history: history)
        let wrong = "rt-WRONG-SECRET-5150"
        env["VDK_API_TOKEN"] = wrong
        let result = try await Self.run(["run", "p.yaml", "--no-tui", "--executor", "remote"], in: dir, environment: env)
        #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
        let shown = result.stdout + result.stderr
        #expect(shown.contains("platform_error") && shown.contains("invalid_grant") && shown.contains("VDK_API_TOKEN"), "\(shown)")
        #expect(!service.requests.contains { $0.path.hasPrefix("/data-jobs") }, "no API request without a token")
        let written = Self.everythingWritten(result, history: history)
        #expect(written.range(of: Data(wrong.utf8)) == nil, "the refresh token leaked")
        await service.stop()
    }

    @Test func failedExecutionFailsTheRunWithExitCode1() async throws {
        let service = try await LoopbackControlService(runSeconds: ["extract": 0.1], finalStatus: ["extract": "user_error"])
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        var env = Self.environment(service, history: dir + "/h.sqlite")
        env["VDK_API_TOKEN"] = ""
        let result = try await Self.run(["run", "p.yaml", "--no-tui"], in: dir,
                                        environment: env.merging(["DAGS_JOB_EXECUTOR_TYPE": "remote"]) { $1 })
        #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("user_error"))
        #expect(!service.requests.contains { $0.path.contains("/jobs/load/") }, "load never starts")
        await service.stop()
    }

    @Test func missingServiceURLOrTeamIsAClearConfigurationError() async throws {
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline,
                                              "noteam.yaml": "jobs:\n  - job_name: a\n    depends_on: []\n",
                                              "url.yaml": "executor: remote\ncontrol_service_url: http://127.0.0.1:9\njobs:\n  - job_name: load-a\n    depends_on: []\n"])
        let noURL = try await Self.run(["run", "p.yaml", "--no-tui", "--executor", "remote"], in: dir,
                                       environment: ["VDK_CONTROL_SERVICE_REST_API_URL": ""])
        #expect(noURL.exitCode == 2)
        #expect(noURL.stderr.contains("VDK_CONTROL_SERVICE_REST_API_URL") && noURL.stderr.contains("control_service_url"), "\(noURL.stderr)")
        let noTeam = try await Self.run(["run", "url.yaml", "--no-tui"], in: dir, environment: ["VDK_CONTROL_SERVICE_REST_API_URL": ""])
        #expect(noTeam.exitCode == 2)
        #expect(noTeam.stderr.contains("team_name") && noTeam.stderr.contains("a"), "\(noTeam.stderr)")
        let noAuthURL = try await Self.run(["run", "p.yaml", "--no-tui", "--executor", "remote"], in: dir,
                                           environment: ["VDK_CONTROL_SERVICE_REST_API_URL": "http://127.0.0.1:9",
                                                         "VDK_API_TOKEN": "x", "VDK_API_TOKEN_AUTHORIZATION_URL": ""])
        #expect(noAuthURL.exitCode == 2 && noAuthURL.stderr.contains("VDK_API_TOKEN_AUTHORIZATION_URL"), "\(noAuthURL.stderr)")
    }

    /// The remote settings: environment over file, VDK names, clear errors for bad values.
    @Test func remoteSettingsComeFromTheEnvironmentOverTheFile() throws {
        let file = DefinitionSettings(executor: .remote, timeBetweenStatusCheckSeconds: 2.5, controlServiceURL: "http://file.example:8092")
        let job = [JobDefinition(name: "a", teamName: "t")]
        func resolve(_ env: [String: String]) throws -> RemoteConfiguration {
            let c = try SettingsResolver.resolve(flags: RunFlags(), environment: Environment(env), file: file)
            return try RemoteSettingsResolver.resolve(c, environment: Environment(env), remoteJobs: job, adopt: [:])
        }
        var r = try resolve([:])
        #expect(r.baseURL.absoluteString == "http://file.example:8092" && r.statusCheckSeconds == 2.5)
        #expect(r.verifyTLS && r.apiToken == nil && r.authorizationURL == nil && r.requestTimeoutSeconds == 60)
        r = try resolve(["VDK_CONTROL_SERVICE_REST_API_URL": "https://env.example/api", "DAGS_TIME_BETWEEN_STATUS_CHECK_SECONDS": "0.5",
                         "VDK_CONTROL_HTTP_VERIFY_SSL": "false", "VDK_API_TOKEN": "t", "VDK_API_TOKEN_AUTHORIZATION_URL": "https://auth.example/token",
                         "VDK_CONTROL_HTTP_READ_TIMEOUT_SECONDS": "7.5"])
        #expect(r.baseURL.absoluteString == "https://env.example/api" && r.statusCheckSeconds == 0.5 && !r.verifyTLS)
        #expect(r.apiToken == "t" && r.authorizationURL?.absoluteString == "https://auth.example/token" && r.requestTimeoutSeconds == 7.5)
        #expect(throws: ConfigurationError.self) { try resolve(["VDK_CONTROL_HTTP_VERIFY_SSL": "maybe"]) }
        #expect(throws: ConfigurationError.self) { try resolve(["VDK_CONTROL_SERVICE_REST_API_URL": "vdk.example.com"]) }
        #expect(throws: ConfigurationError.self) { try resolve(["VDK_CONTROL_HTTP_READ_TIMEOUT_SECONDS": "0"]) }
        do {
            _ = try RemoteSettingsResolver.resolve(try SettingsResolver.resolve(flags: RunFlags(), environment: Environment([:]), file: file),
                                                   environment: Environment([:]), remoteJobs: [JobDefinition(name: "x"), JobDefinition(name: "y")], adopt: [:])
            Issue.record("jobs without a team must be refused")
        } catch {
            #expect(error.message.contains("x, y") && error.message.contains("team_name"), "\(error.message)")
        }
    }

    /// SIGINT while a remote job runs: its execution is cancelled with DELETE, and metajob exits 130.
    @Test func interruptCancelsTheRunningExecution() async throws {
        let service = try await LoopbackControlService(runSeconds: ["extract": 60])
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        var env = Self.environment(service, history: dir + "/h.sqlite")
        env["VDK_API_TOKEN"] = ""
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--executor", "remote"], in: dir, environment: env)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !service.requests.contains(where: { $0.method == "GET" && $0.path.hasSuffix("/executions/extract-1") }) {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        kill(process.processIdentifier, SIGINT)
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { process.waitUntilExit(); continuation.resume() }
        }
        #expect(process.terminationStatus == 130)
        let deletes = service.requests.filter { $0.method == "DELETE" }.map(\.path)
        #expect(deletes == ["/data-jobs/for-team/team-c/jobs/extract/executions/extract-1"])
        await service.stop()
    }

    /// A run killed while its remote job runs; `resume` re-attaches that execution by its stored id.
    @Test func resumeReattachesAnExecutionStillRunningAfterACrash() async throws {
        // Long enough that a starved test loop (the cooperative pool is shared) still sees it running.
        let service = try await LoopbackControlService(runSeconds: ["extract": 10, "load": 0.1])
        let dir = try BinaryRunner.directory(["p.yaml": Self.pipeline])
        let history = dir + "/h.sqlite"
        var env = Self.environment(service, history: history)
        env["VDK_API_TOKEN"] = ""
        let process = try BinaryRunner.launch(["run", "p.yaml", "--no-tui", "--executor", "remote"], in: dir, environment: env)
        // Wait until the history holds extract's execution id, then kill metajob without a chance to cancel.
        var runId: String?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let list = try await Self.run(["history", "list", "--json"], in: dir, environment: ["METAJOB_HISTORY": history])
            if let runs = try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]],
               let id = runs.first?["run_id"] as? String {
                let show = try await Self.run(["history", "show", id, "--json"], in: dir, environment: ["METAJOB_HISTORY": history])
                if show.stdout.contains("extract-1") { runId = id; break }
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let id = try #require(runId)
        #expect(service.execution("extract-1")?.running == true, "the execution outlived metajob")

        let resumed = try await Self.run(["resume", id, "--no-tui", "--executor", "remote"], in: dir, environment: env)
        #expect(resumed.exitCode == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        let starts = service.requests.filter { $0.method == "POST" }.map(\.path)
        #expect(starts.filter { $0.contains("/jobs/extract/") }.count == 1, "extract was re-attached, not started again")
        #expect(starts.filter { $0.contains("/jobs/load/") }.count == 1)
        await service.stop()
    }
}

extension RemoteCLITests {
    /// A small Control Service for the binary's tests: each job's execution runs its scripted seconds and ends
    /// with its status; logs are served once it ends; optional bearer-token auth with a refresh-token endpoint.
    final class LoopbackControlService: @unchecked Sendable {
        struct Request: Sendable {
            var method: String
            var path: String
            var authorization: String?
            var body: Data
        }

        struct Execution {
            var id: String
            var job: String
            var end: Date
            var running: Bool { Date() < end }
        }

        private let lock = NSLock()
        private var recorded: [Request] = []
        private var executions: [Execution] = []
        private let runSeconds: [String: Double]
        private let finalStatus: [String: String]
        private let logs: String
        private let accessToken: String?
        private let refreshToken: String?
        private let server: HTTPServer
        private var task: Task<Void, Error>?
        private(set) var url = ""

        init(runSeconds: [String: Double], finalStatus: [String: String] = [:], logs: String = "done\n",
             accessToken: String? = nil, refreshToken: String? = nil) async throws {
            self.runSeconds = runSeconds
            self.finalStatus = finalStatus
            self.logs = logs
            self.accessToken = accessToken
            self.refreshToken = refreshToken
            server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
            await server.appendRoute("/*") { [unowned self] request in
                let body = try await request.bodyData
                return self.answer(Request(method: request.method.rawValue, path: request.path,
                                           authorization: request.headers[HTTPHeader("Authorization")], body: body))
            }
            let server = self.server
            // Its own thread: blocked cooperative threads must not silence the service (see DedicatedExecutor).
            task = Task(executorPreference: DedicatedExecutor(label: "control-service")) { try await server.run() }
            try await server.waitUntilListening(timeout: 60)  // returns when listening; 60 s only for a starved pool
            guard case .ip4(_, let port)? = await server.listeningAddress else { throw CocoaError(.fileNoSuchFile) }
            url = "http://127.0.0.1:\(port)"
        }

        func stop() async {
            await server.stop(timeout: 1)
            task?.cancel()
        }

        var requests: [Request] { lock.lock(); defer { lock.unlock() }; return recorded }

        func execution(_ id: String) -> Execution? {
            lock.lock(); defer { lock.unlock() }
            return executions.first { $0.id == id }
        }

        private func answer(_ request: Request) -> HTTPResponse {
            lock.lock(); defer { lock.unlock() }
            recorded.append(request)
            if request.path == "/oauth/token" {
                guard String(decoding: request.body, as: UTF8.self) == "grant_type=refresh_token&refresh_token=\(refreshToken ?? "")",
                      let accessToken else { return json(400, ["error": "invalid_grant"]) }
                return json(200, ["access_token": accessToken, "expires_in": 3600])
            }
            if let accessToken, request.authorization != "Bearer " + accessToken {
                return json(401, ["messages": ["not authorized"]])
            }
            let parts = request.path.split(separator: "/").map(String.init)
            guard parts.count >= 6 else { return json(404, ["messages": ["no such endpoint"]]) }
            let job = parts[4]
            if request.method == "POST" {
                let id = "\(job)-\(executions.filter { $0.job == job }.count + 1)"
                executions.append(Execution(id: id, job: job, end: Date().addingTimeInterval(runSeconds[job] ?? 0.1)))
                var headers = HTTPHeaders()
                headers[HTTPHeader("Location")] = request.path + "/" + id
                return HTTPResponse(statusCode: HTTPStatusCode(202, phrase: "Accepted"), headers: headers)
            }
            guard parts.count >= 7, let e = executions.first(where: { $0.id == parts[6] }) else {
                return json(404, ["messages": ["no such execution"]])
            }
            if parts.count == 8 { return json(200, ["logs": logs]) }
            if request.method == "DELETE" { return HTTPResponse(statusCode: .ok) }
            let status = e.running ? "running" : (finalStatus[job] ?? "succeeded")
            return json(200, ["id": e.id, "job_name": job, "status": status, "started_by": "manual/cloud"])
        }

        private func json(_ code: Int, _ object: Any) -> HTTPResponse {
            HTTPResponse(statusCode: HTTPStatusCode(code, phrase: "Status"), headers: [HTTPHeader("Content-Type"): "application/json"],
                         body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
        }
    }
}
