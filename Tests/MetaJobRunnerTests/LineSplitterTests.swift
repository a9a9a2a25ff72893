@testable import MetaJobRunner
import MetaJobCore
import Testing

struct LineSplitterTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func splitsOnNewlineAndKeepsPartialLine() {
        var splitter = LineSplitter()
        #expect(splitter.feed(bytes("one\ntwo\nthr")) == [bytes("one"), bytes("two")])
        #expect(splitter.feed(bytes("ee\n\nfo")) == [bytes("three"), []])
        #expect(splitter.finish() == bytes("fo"))
        #expect(splitter.finish() == nil)
    }

    @Test func keepsEveryByteExceptTheNewline() {
        var splitter = LineSplitter()
        let line: [UInt8] = [0xFF, 0xFE, 0x00, 0x61, 0x0D, 0xC3]
        #expect(splitter.feed(line + [0x0A]) == [line])
        #expect(splitter.finish() == nil)
    }

    @Test func emptyInputAndEmptyFinish() {
        var splitter = LineSplitter()
        #expect(splitter.feed([]) == [])
        #expect(splitter.finish() == nil)
    }

    @Test func lineSplitAcrossManyFeeds() {
        var splitter = LineSplitter()
        for byte in bytes("abcdef") { #expect(splitter.feed([byte]) == []) }
        #expect(splitter.feed(bytes("\n")) == [bytes("abcdef")])
    }

    @Test func cutsLongLinesIntoPieces() {
        var splitter = LineSplitter(maxLineLength: 4)
        // Pieces are cut only when the line is strictly longer than the limit.
        #expect(splitter.feed(bytes("abcd\n")) == [bytes("abcd")])
        #expect(splitter.feed(bytes("abcdefghij\nxy")) == [bytes("abcd"), bytes("efgh"), bytes("ij")])
        #expect(splitter.feed(bytes("z")) == [])
        #expect(splitter.feed(bytes("12345")) == [bytes("xyz1")])
        #expect(splitter.pendingCount == 4)
        #expect(splitter.feed(bytes("\n")) == [bytes("2345")])
        #expect(splitter.finish() == nil)
    }

    /// Pieces of a long line and nothing else are marked as not followed by a newline, so a reader can put
    /// the bytes back exactly.
    @Test func piecesAreMarkedUnterminated() {
        var splitter = LineSplitter(maxLineLength: 4)
        let lines = bytes("ab\nabcdefghij\ncd\n").withUnsafeBytes { splitter.feedLines($0) }
        #expect(lines.map { Array($0) } == [bytes("ab"), bytes("abcd"), bytes("efgh"), bytes("ij"), bytes("cd")])
        #expect(lines.unterminated == [1, 2])
        #expect((0..<lines.count).map { lines.isTerminated($0) } == [true, false, false, true, true])
        let tail = LogLines(unterminatedLine: bytes("end"))
        #expect(!tail.isTerminated(0) && Array(tail[0]) == bytes("end"))
    }

    @Test func longLineWithoutNewlineStaysBounded() {
        var splitter = LineSplitter(maxLineLength: 1 << 20)
        var pieces: [[UInt8]] = []
        var expected: [UInt8] = []
        for chunk in 0..<100 {
            let data = [UInt8](repeating: UInt8(0x41 + chunk % 26), count: 64 * 1024)  // never a newline
            expected += data
            pieces += splitter.feed(data)
            #expect(splitter.pendingCount <= 1 << 20)
        }
        if let last = splitter.finish() { pieces.append(last) }
        #expect(pieces.dropLast().allSatisfy { $0.count == 1 << 20 })
        // Compared outside #expect, which would print megabytes on a failure.
        let exact = pieces.flatMap { $0 } == expected
        #expect(exact)
    }
}
