extension DelayReason {
    /// The reason a stored `code` names (`conflict`, `server_error`, `retry_backoff`; the message is not stored).
    public init?(code: String) {
        switch code {
        case "conflict": self = .conflict(message: "")
        case "server_error": self = .serverError(message: "")
        case "retry_backoff": self = .retryBackoff
        default: return nil
        }
    }
}
