#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Dispatch

/// A buffered writer to a file descriptor. Printers call `flushSoon` after each runner step: output
/// reaches the terminal within 50 ms, while a 10,000-job run makes hundreds of writes instead of tens of thousands.
/// Confined to one queue (the runner's): `flushSoon` schedules its deferred flush there.
public final class OutputWriter: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let flushQueue: DispatchQueue?
    private var lastFlush = DispatchTime(uptimeNanoseconds: 0)
    private var flushScheduled = false
    /// Set once a write failed for good (EPIPE: the reader went away; EIO: the terminal hung up): output stops
    /// there, and the run goes on.
    private var closed = false
    private static let interval = DispatchTimeInterval.milliseconds(50)

    /// A writer to `fd`; `flushQueue` is the queue its user runs on (nil: `flushSoon` flushes at once).
    public init(fd: Int32, flushQueue: DispatchQueue? = nil) {
        self.fd = fd
        self.flushQueue = flushQueue
        buffer.reserveCapacity(1 << 16)
    }

    /// Flushes now if the last flush is 50 ms old, else makes sure a flush happens by then.
    public func flushSoon() {
        guard !buffer.isEmpty, !flushScheduled else { return }
        guard let flushQueue else { return flush() }
        let now = DispatchTime.now()
        let due = lastFlush + OutputWriter.interval
        if now >= due { return flush() }
        flushScheduled = true
        flushQueue.asyncAfter(deadline: due) { [self] in
            flushScheduled = false
            flush()
        }
    }

    public func write(_ string: String) {
        guard !closed else { return }
        buffer.append(contentsOf: string.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write(bytes: [UInt8]) {
        guard !closed else { return }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                // stdout closed (a pipe to `head`, SIGPIPE ignored) or the terminal gone: drop output, never
                // the run, and stop trying.
                closed = true
                break
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
        lastFlush = DispatchTime.now()
    }
}
