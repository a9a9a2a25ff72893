/// Splits a byte stream into newline-terminated frames of at most `limit` bytes. A pure value: the socket
/// code feeds what it read and gets whole frames back.
public struct FrameDecoder: Sendable {
    /// Why the stream cannot be read further.
    public enum Failure: Error, Sendable, Equatable {
        /// A frame grew past the limit before its newline.
        case oversized(limit: Int)
        /// The stream ended inside a frame.
        case truncated(bytes: Int)
    }

    /// The longest frame accepted, newline excluded.
    public let limit: Int
    private var partial: [UInt8] = []

    /// A decoder accepting frames of up to `limit` bytes.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Bytes of an unfinished frame held.
    public var pendingBytes: Int { partial.count }

    /// Feeds bytes; returns the frames they complete (without their newline; empty lines are skipped).
    /// Throws as soon as a frame passes the limit — the rest of the stream cannot be trusted.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                let rest = bytes.count - start
                guard partial.count + rest <= limit else { throw .oversized(limit: limit) }
                partial.append(contentsOf: bytes[start...])
                break
            }
            let length = newline - start
            guard partial.count + length <= limit else { throw .oversized(limit: limit) }
            if partial.isEmpty {
                if length > 0 { frames.append(Array(bytes[start ..< newline])) }
            } else {
                partial.append(contentsOf: bytes[start ..< newline])
                frames.append(partial)
                partial = []
            }
            start = newline + 1
        }
        return frames
    }

    /// Feeds bytes from an array.
    public mutating func feed(_ bytes: [UInt8]) throws(Failure) -> [[UInt8]] {
        var result: Result<[[UInt8]], Failure> = .success([])
        bytes.withUnsafeBytes { raw in
            do throws(Failure) { result = .success(try feed(raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// The stream ended: throws when it ended inside a frame.
    public func finish() throws(Failure) {
        if !partial.isEmpty { throw .truncated(bytes: partial.count) }
    }
}
