import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import MetaJobRunner

/// A `RequestSender` with no socket: records each request and answers it from a script, on the queue.
/// Its clock is manual too, so token lifetimes are tested without waiting.
final class ScriptedSender: RequestSender, RunClock, @unchecked Sendable {
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var script: (URLRequest) -> Result<HTTPReply, TransportFailure>
    private var sent: [URLRequest] = []
    private var time = 1000.0

    init(queue: DispatchQueue, answer: @escaping (URLRequest) -> Result<HTTPReply, TransportFailure>) {
        self.queue = queue
        self.script = answer
    }

    var requests: [URLRequest] { lock.lock(); defer { lock.unlock() }; return sent }

    /// Moves the manual clock on.
    func advance(by seconds: Double) { lock.lock(); time += seconds; lock.unlock() }

    func monotonic() -> Double { lock.lock(); defer { lock.unlock() }; return time }
    func wall() -> Double { monotonic() }

    func request(_ url: URL) -> URLRequest { URLRequest(url: url) }

    func transmit(_ request: URLRequest, words: ServiceMessage,
                  completion: @escaping (Result<HTTPReply, TransportFailure>) -> Void) {
        lock.lock(); sent.append(request); let answer = script(request); lock.unlock()
        let callback = QueueBound(value: completion)
        queue.async { callback.value(answer) }
    }

    func close() {}

    /// A JSON answer.
    static func json(_ status: Int, _ object: Any) -> Result<HTTPReply, TransportFailure> {
        .success(HTTPReply(status: status, headers: [:], body: try! JSONSerialization.data(withJSONObject: object)))
    }
}
