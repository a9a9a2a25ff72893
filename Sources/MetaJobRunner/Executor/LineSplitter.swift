#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MetaJobCore

/// Splits a byte stream into lines on "\n", keeping every other byte exactly as written.
///
/// Lines longer than `maxLineLength` are cut into pieces of that length, each reported as a line, so the
/// memory held for one stream stays bounded however long a line without a newline gets.
public struct LineSplitter: Sendable {
    /// The longest line reported; longer lines are cut into pieces of this length.
    public let maxLineLength: Int
    // Bytes of the current, not yet terminated line. Never longer than `maxLineLength` between calls.
    private var pending: [UInt8] = []

    /// A splitter cutting lines longer than `maxLineLength` bytes (1 MiB by default).
    public init(maxLineLength: Int = 1 << 20) {
        precondition(maxLineLength > 0)
        self.maxLineLength = maxLineLength
    }

    /// The number of bytes held for the current unterminated line.
    public var pendingCount: Int { pending.count }

    /// Feeds the next bytes of the stream and returns the lines (and long-line pieces) they complete, packed
    /// in one buffer: a read of thousands of short lines costs one allocation, not one per line.
    public mutating func feedLines(_ input: UnsafeRawBufferPointer) -> LogLines {
        guard let base = input.baseAddress, input.count > 0 else { return LogLines() }
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var pieces: [Int] = []
        bytes.reserveCapacity(input.count + pending.count)
        var start = 0
        let end = input.count
        while start < end {
            // memchr: the hot path of every job's output; a byte loop in Swift is several times slower.
            guard let found = memchr(base + start, 0x0A, end - start) else {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<end]))
                cutLongLine(bytes: &bytes, ends: &ends, pieces: &pieces)
                break
            }
            let newline = base.distance(to: UnsafeRawPointer(found))
            let segment = UnsafeRawBufferPointer(rebasing: input[start..<newline])
            if pending.isEmpty && segment.count <= maxLineLength {
                bytes.append(contentsOf: segment)  // the common case: a whole line inside one read
            } else {
                pending.append(contentsOf: segment)
                cutLongLine(bytes: &bytes, ends: &ends, pieces: &pieces)
                bytes.append(contentsOf: pending)
                pending.removeAll(keepingCapacity: false)
            }
            ends.append(bytes.count)
            start = newline + 1
        }
        return LogLines(bytes: bytes, ends: ends, unterminated: pieces)
    }

    /// Feeds the next bytes of the stream and returns the lines (and long-line pieces) they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [[UInt8]] {
        feedLines(bytes).map { Array($0) }
    }

    /// Convenience for tests and callers holding an array.
    public mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Ends the stream: returns the last line if it had no newline (nil if there is none).
    public mutating func finish() -> [UInt8]? {
        guard !pending.isEmpty else { return nil }
        defer { pending = [] }
        return pending
    }

    // Only cut when strictly longer than the limit: a line of exactly `maxLineLength` bytes followed by
    // "\n" is one line, not a full piece plus an empty line.
    private mutating func cutLongLine(bytes: inout [UInt8], ends: inout [Int], pieces: inout [Int]) {
        guard pending.count > maxLineLength else { return }
        var offset = 0
        while pending.count - offset > maxLineLength {
            bytes.append(contentsOf: pending[offset..<(offset + maxLineLength)])
            pieces.append(ends.count)  // no newline after a piece
            ends.append(bytes.count)
            offset += maxLineLength
        }
        pending.removeFirst(offset)
    }
}
