/// Which part of an execution's logs has been passed on, so that reading the whole logs again adds only
/// the lines written since: none repeated, none dropped, repeated identical lines included.
///
/// The Control Service answers a logs read with the whole text so far (or its last N lines, which cannot tell
/// two new identical lines from two old ones, so metajob never asks for those). A line is passed on once its
/// terminator arrived; the line still being written waits for its end, or for the final read.
struct RemoteLogCursor: Sendable {
    /// The text passed on as complete lines: a later text that does not begin with it was cut or rewritten, one
    /// that it begins with is an older answer. (Kept whole: the logs are kept whole by the history anyway.)
    private var passed: [UInt8] = []
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
        var start = passed.count
        var gap = false
        if !continues(text) {
            // An answer older than one already used: nothing new.
            if text.count < passed.count && passed.starts(with: text.prefix(Self.completeLength(text))) {
                return Taken(lines: [], gap: false)
            }
            let seam = seam(in: text)
            gap = seam == nil
            start = seam ?? 0
            passed = Array(text[0..<start])
        }
        let complete = max(start, Self.completeLength(text))
        var lines = Self.completeLines(text[start..<complete], limit: .max).map { Array($0.line) }
        // The final read: the last line counts without its terminator.
        let end = final ? text.count : complete
        if end > complete { lines.append(Array(text[complete..<end])) }
        passed += text[start..<end]
        partial = Array(text[end...])
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
        text.count >= passed.count && text.starts(with: passed)
    }

    /// The length of `text` up to and with its last line terminator.
    private static func completeLength(_ text: [UInt8]) -> Int {
        text.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
    }

    /// Where the new part of a cut text begins: after the longest run of its first lines that equals the last
    /// lines passed on. Nil when its first line is not among them.
    private func seam(in text: [UInt8]) -> Int? {
        let lines = Self.completeLines(text[...], limit: recent.count)
        var k = min(lines.count, recent.count)
        while k > 0 {
            if zip(recent.suffix(k), lines.prefix(k)).allSatisfy({ $0.elementsEqual($1.line) }) { return lines[k - 1].end }
            k -= 1
        }
        return nil
    }

    /// The first `limit` terminated lines of `text` (a trailing `\r` dropped), each with the index after its
    /// terminator; the unterminated rest is left out.
    private static func completeLines(_ text: ArraySlice<UInt8>, limit: Int) -> [(line: ArraySlice<UInt8>, end: Int)] {
        var lines: [(line: ArraySlice<UInt8>, end: Int)] = []
        var lineStart = text.startIndex
        for index in text.indices where lines.count < limit && text[index] == UInt8(ascii: "\n") {
            var line = text[lineStart..<index]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lines.append((line, index + 1))
            lineStart = index + 1
        }
        return lines
    }

    private mutating func remember(_ lines: [[UInt8]]) {
        recent.append(contentsOf: lines.suffix(Self.recentLimit))
        if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
    }
}
