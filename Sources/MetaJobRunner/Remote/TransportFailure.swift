/// Why a request got no HTTP answer.
enum TransportFailure: Error, Sendable {
    /// No answer within the request timeout: the request may or may not have been acted upon.
    case timedOut
    /// The service could not be reached (refused, DNS, TLS): the request was not sent.
    case unreachable(String)
    /// The connection broke after the request went out (reset, closed with no answer): it may have been acted upon.
    case lost(String)
    /// No access token: the authorization server refused (`transient` false) or could not be reached.
    case token(String, transient: Bool)
}
