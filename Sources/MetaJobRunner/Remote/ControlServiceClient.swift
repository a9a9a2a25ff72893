import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Speaks HTTP to the Control Service over URLSession: adds the bearer token, hops every answer back onto
/// the executor's queue, and refreshes the token once when the service answers 401.
final class ControlServiceClient: @unchecked Sendable {
    private let queue: DispatchQueue
    private let transport: RequestSender
    private let tokens: AccessTokenProvider?
    private let base: String

    /// A client of the service in `configuration`, answering on `queue`; `transport` defaults to URLSession.
    init(queue: DispatchQueue, configuration: RemoteConfiguration, transport: RequestSender? = nil,
         clock: RunClock = SystemClock()) {
        self.queue = queue
        let transport = transport
            ?? HTTPTransport(queue: queue, verifyTLS: configuration.verifyTLS, timeout: configuration.requestTimeoutSeconds)
        self.transport = transport
        if let token = configuration.apiToken, let url = configuration.authorizationURL {
            tokens = AccessTokenProvider(queue: queue, refreshToken: token, authorizationURL: url, transport: transport,
                                         clock: clock)
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
        var request = transport.request(url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("metajob", forHTTPHeaderField: "User-Agent")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization") }
        transport.transmit(request, words: words, completion: completion)
    }

    /// Stops the session once every request in flight has ended.
    func close() {
        transport.close()
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
