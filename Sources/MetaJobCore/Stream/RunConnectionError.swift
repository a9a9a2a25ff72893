/// Why a run could not be reached or stopped answering.
public enum RunConnectionError: Error, Sendable, Equatable, Codable {
    /// The run is gone (it ended and was closed, or its process died).
    case gone(String)
    /// The other side broke the protocol (a bad frame, a version it does not speak).
    case protocolViolation(String)

    /// A sentence for the user.
    public var message: String {
        switch self {
        case .gone(let why): return "the run is gone: \(why)"
        case .protocolViolation(let why): return "the run's connection broke: \(why)"
        }
    }
}
