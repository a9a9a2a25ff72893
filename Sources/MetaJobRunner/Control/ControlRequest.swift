import MetaJobCore

/// A command that reached the run through its control socket, with who sent it and the run's answer
/// (what the history records so a run shows who retried what).
public struct ControlRequest: Sendable, Equatable {
    /// What was asked.
    public var command: RunCommand
    /// What the client said it is: `dashboard` (an attached dashboard), `cli`, …
    public var client: String
    /// The user the kernel says is on the other end (always the run's own user: others cannot connect).
    public var user: String
    /// The run's answer.
    public var reply: CommandReply

    /// A request; every field as named.
    public init(command: RunCommand, client: String, user: String, reply: CommandReply) {
        self.command = command
        self.client = client
        self.user = user
        self.reply = reply
    }
}
