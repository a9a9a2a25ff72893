/// One output line of one attempt, as stored.
public struct StoredLogLine: Sendable, Equatable {
    /// The run's event sequence number: increasing within a run, so a follower asks for lines after the last it saw.
    public var sequence: Int64
    /// Seconds since 1970.
    public var time: Double
    /// The attempt that wrote it (1, 2, …).
    public var attempt: Int
    /// stdout or stderr.
    public var stream: LogStream
    /// Exactly as the job wrote them (not necessarily UTF-8), without the newline.
    public var bytes: [UInt8]
    /// False when no newline followed: a piece of a line over 1 MiB, or the stream's last bytes.
    public var terminated: Bool

    /// A line; every field as named.
    public init(sequence: Int64, time: Double, attempt: Int, stream: LogStream, bytes: [UInt8], terminated: Bool = true) {
        self.sequence = sequence
        self.time = time
        self.attempt = attempt
        self.stream = stream
        self.bytes = bytes
        self.terminated = terminated
    }
}
