import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends requests over one URLSession and answers on the executor's queue, timing requests out itself.
///
/// The timer is ours, on the queue, because URLSession on Linux reported one timeout twice and then timed out
/// the next requests at once; the first of answer and timer wins, the other is ignored.
final class HTTPTransport: RequestSender, @unchecked Sendable {
    private let queue: DispatchQueue
    private let session: URLSession
    private let timeout: Double

    init(queue: DispatchQueue, verifyTLS: Bool, timeout: Double) {
        self.queue = queue
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        // A backstop only: `transmit`'s own timer times requests out.
        configuration.timeoutIntervalForRequest = timeout + 30
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        session = URLSession(configuration: configuration, delegate: verifyTLS ? nil : TLSTrustDelegate(), delegateQueue: nil)
    }

    /// A request to `url` whose URLSession timeout is only a backstop.
    func request(_ url: URL) -> URLRequest {
        URLRequest(url: url, timeoutInterval: timeout + 30)
    }

    /// Sends `request`; `completion` runs once, on the queue. Error texts pass through `words` (no secrets).
    func transmit(_ request: URLRequest, words: ServiceMessage,
                  completion: @escaping (Result<HTTPReply, TransportFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        let callback = QueueBound(value: completion)
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
            } else if let error = error as? URLError, !HTTPTransport.notSent.contains(error.code) {
                result = .failure(.lost(HTTPTransport.explain(error, words: words)))
            } else {
                result = .failure(.unreachable(HTTPTransport.explain(error, words: words)))
            }
            queue.async { if pending.settle() { callback.value(result) } }
        }
        let running = QueueBound(value: task)
        queue.asyncAfter(deadline: .now() + timeout) {
            guard pending.settle() else { return }
            running.value.cancel()
            callback.value(.failure(.timedOut))
        }
        task.resume()
    }

    /// Failures that happen before a request goes out (no connection, no name, no TLS), so the service cannot
    /// have acted on it. Any other failure (reset, closed with no answer: libcurl's "Empty reply from server")
    /// may come after the service acted.
    private static let notSent: Set<URLError.Code> = [
        .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .badURL, .unsupportedURL,
        .secureConnectionFailed, .serverCertificateHasBadDate, .serverCertificateUntrusted,
        .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid, .clientCertificateRejected,
        .clientCertificateRequired,
    ]

    /// Stops the session once every request in flight has ended.
    func close() {
        session.finishTasksAndInvalidate()
    }

    /// The error in words, with what to do about a certificate that was not accepted.
    private static func explain(_ error: Error?, words: ServiceMessage) -> String {
        var message = words.redact(error?.localizedDescription ?? "no answer")
        if message.localizedCaseInsensitiveContains("SSL") || message.localizedCaseInsensitiveContains("certificate") {
            message += " (the service's TLS certificate was not accepted: trust its CA in the system store"
            #if os(Linux)
            message += ")"
            #else
            message += ", or set VDK_CONTROL_HTTP_VERIFY_SSL=false)"
            #endif
        }
        return message
    }
}
