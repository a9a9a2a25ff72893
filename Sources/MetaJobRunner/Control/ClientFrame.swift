import MetaJobCore

/// What a client sends to a run's control socket (one per line).
public enum ClientFrame: Sendable, Equatable, Codable {
    /// The first frame: the protocol version spoken and what the client is (`dashboard`, `cli`, any word).
    case hello(version: Int, client: String)
    /// A command; answered by a `reply` frame with the same `id`.
    case command(id: UInt64, command: RunCommand)
    /// Asks for a fresh snapshot (after a gap in the sequence numbers).
    case resync
    /// The jobs (graph indices) the client is looking at (remote jobs' logs then arrive while they run).
    case watch(jobs: [Int])
    /// Asks that what the run's history recorder buffers be written now (before the client reads the history
    /// back, e.g. to save a log that just ended); answered by a `reply` frame with the same `id` once it is.
    case sync(id: UInt64)
}
