/// A run's answer to a command.
public enum CommandReply: Sendable, Equatable, Codable {
    /// The run took the command (its effects follow as events).
    case accepted
    /// The run did nothing; the reason is worded for the user.
    case refused(String)
}
