import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Exchanges the refresh token (`VDK_API_TOKEN`) for access tokens with the OAuth2 refresh-token grant and
/// keeps the current one, refreshing it a minute before it expires. Confined to the executor's queue.
///
/// Tokens stay in here: they go out only in the `Authorization` header and the grant's form body.
final class AccessTokenProvider: @unchecked Sendable {
    private let queue: DispatchQueue
    private let refreshToken: String
    private let authorizationURL: URL
    private let transport: RequestSender
    private let clock: RunClock
    private var accessToken: String?
    /// Monotonic seconds after which the access token must be refreshed.
    private var refreshAfter: Double = 0
    private var waiters: [(Result<String, TransportFailure>) -> Void] = []
    /// Every secret seen, for redaction of anything the service says.
    private(set) var secrets: [String]

    init(queue: DispatchQueue, refreshToken: String, authorizationURL: URL, transport: RequestSender,
         clock: RunClock = SystemClock()) {
        self.queue = queue
        self.clock = clock
        self.refreshToken = refreshToken
        self.authorizationURL = authorizationURL
        self.transport = transport
        self.secrets = [refreshToken]
    }

    /// Calls `body` on the queue with a valid access token, refreshing first when needed.
    func withToken(_ body: @escaping (Result<String, TransportFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let token = accessToken, clock.monotonic() < refreshAfter {
            body(.success(token))
            return
        }
        waiters.append(body)
        if waiters.count == 1 { refresh() }
    }

    /// Forgets the access token (the service answered 401): the next request gets a new one.
    func invalidate() {
        dispatchPrecondition(condition: .onQueue(queue))
        accessToken = nil
    }

    private func refresh() {
        var request = transport.request(authorizationURL)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.httpBody = Data("grant_type=refresh_token&refresh_token=\(Self.formEncode(refreshToken))".utf8)
        transport.transmit(request, words: ServiceMessage(secrets: secrets)) { [self] result in finish(result) }
    }

    private func finish(_ answer: Result<HTTPReply, TransportFailure>) {
        let result: Result<String, TransportFailure>
        let words = ServiceMessage(secrets: secrets)
        switch answer {
        case .success(let reply):
            let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
            if (200..<300).contains(reply.status), let token = object?["access_token"] as? String, !token.isEmpty {
                let expiresIn = (object?["expires_in"] as? NSNumber)?.doubleValue ?? 3600
                accessToken = token
                secrets.append(token)
                refreshAfter = clock.monotonic() + max(0, expiresIn - 60)
                result = .success(token)
            } else {
                result = .failure(.token("the authorization server \(authorizationURL.host ?? authorizationURL.absoluteString) answered HTTP \(reply.status) to the refresh-token grant: \(words.describe(reply.body)). Check VDK_API_TOKEN and VDK_API_TOKEN_AUTHORIZATION_URL.", transient: reply.status >= 500))
            }
        case .failure(.timedOut):
            result = .failure(.token("the authorization server \(authorizationURL.absoluteString) did not answer in time", transient: true))
        case .failure(.unreachable(let message)), .failure(.lost(let message)), .failure(.token(let message, _)):
            result = .failure(.token("cannot reach the authorization server \(authorizationURL.absoluteString): \(message)", transient: true))
        }
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter(result) }
    }

    /// `application/x-www-form-urlencoded` value encoding.
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
