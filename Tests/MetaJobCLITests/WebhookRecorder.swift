import FlyingFox
import Foundation
import MetaJobTestSupport

/// A webhook on 127.0.0.1 (a free port) that records every request and answers with `status`.
final class WebhookRecorder: @unchecked Sendable {
    /// One request as received.
    struct Request {
        var method: String
        var path: String
        var contentType: String?
        var body: Data
    }

    private let lock = NSLock()
    private var recorded: [Request] = []
    private let server: HTTPServer
    private var task: Task<Void, Error>?
    private(set) var url = ""

    init(status: Int = 200) async throws {
        server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        await server.appendRoute("/*") { [unowned self] request in
            let body = try await request.bodyData
            self.record(Request(method: request.method.rawValue, path: request.path,
                                contentType: request.headers[HTTPHeader("Content-Type")], body: body))
            return HTTPResponse(statusCode: HTTPStatusCode(status, phrase: status == 200 ? "OK" : "Error"),
                                body: Data("answer \u{1B}[31mred\u{1B}[0m".utf8))
        }
        let server = self.server
        // Its own thread: blocked cooperative threads must not silence it (see DedicatedExecutor).
        task = Task(executorPreference: DedicatedExecutor(label: "webhook")) { try await server.run() }
        try await server.waitUntilListening(timeout: 60)  // returns when listening; 60 s only for a starved pool
        guard case .ip4(_, let port)? = await server.listeningAddress else { throw CocoaError(.fileNoSuchFile) }
        url = "http://127.0.0.1:\(port)/hooks/secret-token"
    }

    private func record(_ request: Request) {
        lock.lock(); recorded.append(request); lock.unlock()
    }

    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return recorded }

    func stop() async {
        await server.stop(timeout: 1)
        task?.cancel()
    }
}
