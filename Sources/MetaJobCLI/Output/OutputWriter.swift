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
        buffer.append(contentsOf: string.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break  // stdout closed (a pipe to `head`): drop output rather than crash
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
        lastFlush = DispatchTime.now()
    }
}
