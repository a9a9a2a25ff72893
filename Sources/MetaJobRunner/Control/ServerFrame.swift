import MetaJobCore

/// What a run's control socket sends to a client (one per line).
public enum ServerFrame: Sendable, Equatable, Codable {
    /// The answer to the client's hello: the version spoken, the run and the process serving it.
    case hello(version: Int, runId: String, pid: Int32)
    /// The run at one point of its stream; every event after `snapshot.sequence` follows.
    case snapshot(RunSnapshot)
    /// One event of the run's stream.
    case event(RunEvent)
    /// Log events `from`…`to` (sequence numbers) were not sent: the client was behind on output. Not a gap: the
    /// stream goes on after `to`; the lines are in the history.
    case skipped(from: UInt64, to: UInt64)
    /// The answer to the command with this id.
    case reply(id: UInt64, reply: CommandReply)
    /// The server is closing this connection, and why (a bad frame, a version it does not speak, the run ended).
    case bye(reason: String)
}
