import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Speaks HTTP to the Control Service over URLSession: adds the bearer token, hops every answer back onto
/// the executor's queue, and refreshes the token once when the service answers 401.
final class ControlServiceClient: @unchecked Sendable {
    private let queue: DispatchQueue
    private let configuration: RemoteConfiguration
    private let session: URLSession
    private let tokens: AccessTokenProvider?
    private let base: String

    init(queue: DispatchQueue, configuration: RemoteConfiguration) {
        self.queue = queue
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        // A backstop only: the client's own timer (see `perform`) times requests out.
        sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeoutSeconds + 30
        sessionConfiguration.httpCookieAcceptPolicy = .never
        sessionConfiguration.urlCache = nil
        session = URLSession(configuration: sessionConfiguration,
                             delegate: configuration.verifyTLS ? nil : TLSTrustDelegate(), delegateQueue: nil)
        if let token = configuration.apiToken, let url = configuration.authorizationURL {
            tokens = AccessTokenProvider(queue: queue, refreshToken: token, authorizationURL: url, session: session,
                                         timeout: configuration.requestTimeoutSeconds)
        } else {
            tokens = nil
        }
        var text = configuration.baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        base = text
    }

    /// What may be shown of anything the service says: secrets removed.
    var words: ServiceMessage { ServiceMessage(secrets: tokens?.secrets ?? []) }

    /// The service's root, for messages.
    var serviceURL: String { base }

    /// Sends `method path` (path already percent-encoded, starting with `/`) and calls `completion` on the queue.
    func send(_ method: String, _ path: String, body: Data? = nil,
              completion: @escaping (Result<HTTPReply, TransportFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        send(method, path, body: body, retryOn401: true, completion: completion)
    }

    private func send(_ method: String, _ path: String, body: Data?, retryOn401: Bool,
                      completion: @escaping (Result<HTTPReply, TransportFailure>) -> Void) {
        guard let tokens else {
            perform(method, path, body: body, token: nil, completion: completion)
            return
        }
        tokens.withToken { [self] result in
            switch result {
            case .failure(let failure):
                completion(.failure(failure))
            case .success(let token):
                perform(method, path, body: body, token: token) { [self] result in
                    if case .success(let reply) = result, reply.status == 401, retryOn401 {
                        tokens.invalidate()
                        send(method, path, body: body, retryOn401: false, completion: completion)
                    } else {
                        completion(result)
                    }
                }
            }
        }
    }

    private func perform(_ method: String, _ path: String, body: Data?, token: String?,
                         completion: @escaping (Result<HTTPReply, TransportFailure>) -> Void) {
        guard let url = URL(string: base + path) else {
            let callback = QueueBound(value: completion)
            let message = "not a valid URL: \(base + path)"
            queue.async { callback.value(.failure(.unreachable(message))) }
            return
        }
        var request = URLRequest(url: url, timeoutInterval: configuration.requestTimeoutSeconds + 30)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("metajob", forHTTPHeaderField: "User-Agent")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization") }
        let redactor = words
        let callback = QueueBound(value: completion)
        // Our own timer decides timeouts: URLSession on Linux may report one timeout twice and then time out
        // the next requests at once. The first of answer and timer wins; the other is ignored.
        let pending = PendingRequest()
        let task = session.dataTask(with: request) { [queue] data, response, error in
            let result: Result<HTTPReply, TransportFailure>
            if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (name, value) in http.allHeaderFields {
                    if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
                }
                result = .success(HTTPReply(status: http.statusCode, headers: headers, body: data ?? Data()))
            } else if let error = error as? URLError, error.code == .timedOut {
                result = .failure(.timedOut)
            } else {
                var message = redactor.redact(error?.localizedDescription ?? "no answer")
                if message.localizedCaseInsensitiveContains("SSL") || message.localizedCaseInsensitiveContains("certificate") {
                    message += " (the service's TLS certificate was not accepted: trust its CA in the system store"
                    #if os(Linux)
                    message += ")"
                    #else
                    message += ", or set VDK_CONTROL_HTTP_VERIFY_SSL=false)"
                    #endif
                }
                result = .failure(.unreachable(message))
            }
            queue.async { if pending.settle() { callback.value(result) } }
        }
        let running = QueueBound(value: task)
        queue.asyncAfter(deadline: .now() + configuration.requestTimeoutSeconds) {
            guard pending.settle() else { return }
            running.value.cancel()
            callback.value(.failure(.timedOut))
        }
        task.resume()
    }

    /// Stops the session once every request in flight has ended.
    func close() {
        session.finishTasksAndInvalidate()
    }

    /// `/data-jobs/for-team/{team}/jobs/{job}`, each name encoded as one path segment.
    static func jobPath(team: String, job: String) -> String {
        "/data-jobs/for-team/\(segment(team))/jobs/\(segment(job))"
    }

    /// `value` percent-encoded as one path segment.
    static func segment(_ value: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
