import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What sends the client's requests: `HTTPTransport` over URLSession, or a fake in tests (no socket).
protocol RequestSender: AnyObject, Sendable {
    /// A request to `url` with the sender's timeouts.
    func request(_ url: URL) -> URLRequest
    /// Sends `request`; `completion` runs once, on the executor's queue. Error texts pass through `words`.
    func transmit(_ request: URLRequest, words: ServiceMessage,
                  completion: @escaping (Result<HTTPReply, TransportFailure>) -> Void)
    /// Stops once every request in flight has ended.
    func close()
}
