/// Which part of an execution's logs has been passed on, so that reading the whole logs again adds only
/// the lines written since: none repeated, none dropped, repeated identical lines included.
///
/// The Control Service answers a logs read with the whole text so far (or its last N lines, which cannot tell
/// two new identical lines from two old ones, so metajob never asks for those). A line is passed on once its
/// terminator arrived; the line still being written waits for its end, or for the final read.
struct RemoteLogCursor: Sendable {
    /// Bytes of the text passed on as complete lines.
    private(set) var consumed = 0
    /// A hash of those bytes: a later text that does not begin with them was cut or rewritten.
    private var consumedHash = RemoteLogCursor.hashSeed
    /// The last lines passed on (bounded): where a cut text's seam is.
    private var recent: [[UInt8]] = []
    /// What followed the last complete line in the last text read (a line still being written).
    private(set) var partial: [UInt8] = []

    /// How many passed-on lines are kept to find the seam of a cut text.
    static let recentLimit = 200

    /// What a read adds.
    struct Taken: Equatable, Sendable {
        /// New lines, without their terminators (a trailing `\r` dropped).
        var lines: [[UInt8]]
        /// The text no longer began with what was passed on and no passed-on line was found at its start:
        /// lines between the two reads may be missing.
        var gap: Bool
    }

    /// The lines of `text` not passed on yet; with `final`, the last line too, terminated or not.
    mutating func take(_ text: [UInt8], final: Bool) -> Taken {
        var start = consumed
        var gap = false
        if !continues(text) {
            let seam = seam(in: text)
            gap = seam == nil
            start = seam ?? 0
            consumed = 0
            consumedHash = Self.hash(text[0..<start], from: Self.hashSeed)
        }
        var lines: [[UInt8]] = []
        var lineStart = start
        var index = start
        while index < text.count {
            if text[index] == UInt8(ascii: "\n") {
                var line = Array(text[lineStart..<index])
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                lines.append(line)
                lineStart = index + 1
            }
            index += 1
        }
        consumedHash = Self.hash(text[start..<lineStart], from: consumedHash)
        consumed = lineStart
        partial = Array(text[lineStart...])
        if final && !partial.isEmpty {
            lines.append(partial)
            consumedHash = Self.hash(partial[...], from: consumedHash)
            consumed = text.count
            partial = []
        }
        remember(lines)
        return Taken(lines: lines, gap: gap)
    }

    /// Hands over the line still being written (the final read failed: it is all there is).
    mutating func takePartial() -> [UInt8]? {
        guard !partial.isEmpty else { return nil }
        defer { partial = [] }
        return partial
    }

    /// True when `text` begins with exactly the bytes passed on.
    private func continues(_ text: [UInt8]) -> Bool {
        consumed == 0 || (text.count >= consumed && Self.hash(text[0..<consumed], from: Self.hashSeed) == consumedHash)
    }

    /// Where the new part of a cut text begins: after the longest run of its first lines that equals the last
    /// lines passed on. Nil when its first line is not among them.
    private func seam(in text: [UInt8]) -> Int? {
        var ends: [Int] = []
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        for index in text.indices where text[index] == UInt8(ascii: "\n") {
            var line = text[lineStart..<index]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lines.append(line)
            ends.append(index + 1)
            lineStart = index + 1
            if lines.count == recent.count { break }
        }
        var k = min(lines.count, recent.count)
        while k > 0 {
            if zip(recent.suffix(k), lines.prefix(k)).allSatisfy({ $0.elementsEqual($1) }) { return ends[k - 1] }
            k -= 1
        }
        return nil
    }

    private mutating func remember(_ lines: [[UInt8]]) {
        recent.append(contentsOf: lines.suffix(Self.recentLimit))
        if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
    }

    private static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a over `bytes`, continuing from `seed`.
    private static func hash(_ bytes: ArraySlice<UInt8>, from seed: UInt64) -> UInt64 {
        var h = seed
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
