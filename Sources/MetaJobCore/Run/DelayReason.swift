/// Why a job waits in the delay queue.
public enum DelayReason: Sendable, Equatable, Codable {
    /// The service answered 409: the data job is already running.
    case conflict(message: String)
    /// The service answered 5xx or could not be reached.
    case serverError(message: String)
    /// An automatic retry after a failed attempt.
    case retryBackoff

    /// A short machine-readable name (`conflict`, `server_error`, `retry_backoff`).
    public var code: String {
        switch self {
        case .conflict: return "conflict"
        case .serverError: return "server_error"
        case .retryBackoff: return "retry_backoff"
        }
    }

    /// A human-readable sentence.
    public var description: String {
        switch self {
        case .conflict(let m): return "conflict (409): job already running" + (m.isEmpty ? "" : ": \(m)")
        case .serverError(let m): return "server error" + (m.isEmpty ? "" : ": \(m)")
        case .retryBackoff: return "retry backoff"
        }
    }
}
