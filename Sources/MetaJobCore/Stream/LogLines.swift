/// Consecutive lines of one attempt's stream in one buffer: what a log event carries.
///
/// One allocation per batch instead of one per line: a job writing a million lines a second would otherwise
/// cost a million arrays a second before anything is printed or stored.
public struct LogLines: Sendable, Equatable, RandomAccessCollection {
    /// Every line's bytes, back to back, without line terminators.
    public private(set) var bytes: [UInt8] = []
    /// The end offset (exclusive) in `bytes` of each line.
    public private(set) var ends: [Int] = []
    /// The indices, ascending, of lines no newline followed: a piece of a line too long to hold whole, or a
    /// stream's last line without one. Kept so the history gives back the bytes exactly. Usually empty.
    public private(set) var unterminated: [Int] = []

    public init() {}

    /// The lines given, in order.
    public init(_ lines: [[UInt8]]) {
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.count })
        ends.reserveCapacity(lines.count)
        for line in lines { append(line) }
    }

    /// Lines already packed: `bytes` back to back and each line's end offset, ascending, the last at most
    /// `bytes.count` (an executor splitting a pipe's output builds these without an array per line).
    public init(bytes: [UInt8], ends: [Int], unterminated: [Int] = []) {
        precondition((ends.last ?? 0) <= bytes.count, "line ends past the bytes")
        precondition(unterminated.allSatisfy { $0 >= 0 && $0 < ends.count }, "unterminated line out of range")
        self.bytes = bytes
        self.ends = ends
        self.unterminated = unterminated
    }

    /// One line that no newline followed (a stream's last bytes).
    public init(unterminatedLine line: [UInt8]) {
        self.init(bytes: line, ends: [line.count], unterminated: [0])
    }

    /// True when a newline followed line `i` in the stream.
    public func isTerminated(_ i: Int) -> Bool {
        unterminated.isEmpty || !unterminated.contains(i)
    }

    /// Adds one line after the others.
    public mutating func append(_ line: some Collection<UInt8>) {
        bytes.append(contentsOf: line)
        ends.append(bytes.count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    /// Line `i`'s bytes.
    public subscript(i: Int) -> ArraySlice<UInt8> {
        bytes[(i == 0 ? 0 : ends[i - 1]) ..< ends[i]]
    }

    /// The total bytes of all lines.
    public var byteCount: Int { bytes.count }
}
