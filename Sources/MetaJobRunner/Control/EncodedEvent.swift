import MetaJobCore

/// One event as a ready-to-send frame, encoded once and shared by every client.
public struct EncodedEvent: Sendable {
    /// The first sequence number the event covers.
    public var first: UInt64
    /// The last one (a log event of n lines covers n numbers).
    public var last: UInt64
    /// The frame's bytes, newline included.
    public var bytes: [UInt8]
    /// The job whose lines these are (log events only).
    public var job: Int?
    /// Lines a job wrote: a client that is behind may be sent a `skipped` frame instead.
    public var isLog: Bool { job != nil }

    /// An encoded event; every field as named (`job` for a log event only).
    public init(first: UInt64, last: UInt64, bytes: [UInt8], job: Int? = nil) {
        self.first = first
        self.last = last
        self.bytes = bytes
        self.job = job
    }

    /// `event` encoded as a `ServerFrame.event` line; with `encoding` false, its sequence numbers only (for a log
    /// event every client skips: encoding it would be wasted).
    public init(_ event: RunEvent, encoding: Bool = true) {
        var last = event.sequence
        var job: Int?
        if case .log(let j, _, _, let lines) = event.kind {
            last += UInt64(max(1, lines.count)) - 1
            job = j
        }
        self.init(first: event.sequence, last: last, bytes: encoding ? EventFrameWriter.frame(event) : [], job: job)
    }
}
