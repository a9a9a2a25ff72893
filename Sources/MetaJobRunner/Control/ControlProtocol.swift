/// The run's control socket protocol: NDJSON frames (one JSON object per line) over a Unix-domain socket.
/// The client says hello, the server answers hello then the snapshot, then every event in order; commands are
/// answered by id. Documented for other tools in the README's "Attach and control" section.
public enum ControlProtocol {
    /// The version this metajob speaks; a hello with another version is refused with a `bye`.
    public static let version = 1
    /// The longest frame a client may send (commands are a few dozen bytes): longer ends that client.
    public static let clientFrameLimit = 64 * 1024
    /// The longest frame a server may send (a snapshot of a very large run): longer ends the connection.
    public static let serverFrameLimit = 512 * 1024 * 1024
    /// How many bytes of events may wait for one client before it is resynchronised from a fresh snapshot
    /// (a viewer that does not read never grows the run's memory beyond this).
    public static let clientQueueLimit = 8 * 1024 * 1024
    /// Past this many bytes waiting for a client, its log lines are skipped (a `skipped` frame says which; they
    /// are in the history): a job's state change then never waits behind more than this much output.
    public static let clientLogBudget = 64 * 1024
}
