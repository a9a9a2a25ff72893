import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner

/// Reading a growing log again and again passes on each line exactly once.
@Suite("Remote logs: only new lines at each read")
struct RemoteLogCursorTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func text(_ lines: [[UInt8]]) -> [String] { lines.map { String(decoding: $0, as: UTF8.self) } }

    @Test func eachReadAddsTheLinesWrittenSinceRepeatedIdenticalLinesIncluded() {
        var cursor = RemoteLogCursor()
        #expect(Self.text(cursor.take(Self.bytes("same\nsame\n"), final: false).lines) == ["same", "same"])
        #expect(Self.text(cursor.take(Self.bytes("same\nsame\n"), final: false).lines) == [], "nothing new: nothing added")
        #expect(Self.text(cursor.take(Self.bytes("same\nsame\nsame\n"), final: false).lines) == ["same"])
        #expect(Self.text(cursor.take(Self.bytes("same\nsame\nsame\nsame\nsame\n"), final: true).lines) == ["same", "same"])
    }

    @Test func aLineStillBeingWrittenWaitsForItsEnd() {
        var cursor = RemoteLogCursor()
        #expect(Self.text(cursor.take(Self.bytes("one\ntw"), final: false).lines) == ["one"])
        #expect(cursor.partial == Self.bytes("tw"))
        #expect(Self.text(cursor.take(Self.bytes("one\ntwo, still"), final: false).lines) == [])
        #expect(Self.text(cursor.take(Self.bytes("one\ntwo, still going\nthr"), final: false).lines) == ["two, still going"])
        // The final read passes on the last line, terminated or not.
        #expect(Self.text(cursor.take(Self.bytes("one\ntwo, still going\nthree"), final: true).lines) == ["three"])
        #expect(cursor.partial.isEmpty)
    }

    @Test func aCRLFSplitBetweenTwoReadsIsOneTerminator() {
        var cursor = RemoteLogCursor()
        #expect(Self.text(cursor.take(Self.bytes("a\r"), final: false).lines) == [])
        #expect(Self.text(cursor.take(Self.bytes("a\r\nb\r\n"), final: false).lines) == ["a", "b"])
    }

    @Test func anOlderShorterAnswerAddsNothing() {
        var cursor = RemoteLogCursor()
        _ = cursor.take(Self.bytes("1\n2\n3\n"), final: false)
        // A read sent earlier but answered later.
        let late = cursor.take(Self.bytes("1\n2\n"), final: false)
        #expect(late.lines.isEmpty)
        #expect(Self.text(cursor.take(Self.bytes("1\n2\n3\n4\n"), final: false).lines) == ["4"])
    }

    @Test func aTextCutAtTheFrontContinuesAtTheSeam() {
        var cursor = RemoteLogCursor()
        _ = cursor.take(Self.bytes("1\n2\n3\n4\n"), final: false)
        // The service now keeps only the last lines: 3 and 4 were passed on, 5 and 6 are new.
        let cut = cursor.take(Self.bytes("3\n4\n5\n6\n"), final: false)
        #expect(Self.text(cut.lines) == ["5", "6"] && !cut.gap)
        #expect(Self.text(cursor.take(Self.bytes("3\n4\n5\n6\n7\n"), final: false).lines) == ["7"], "then the cut text is the new start")
    }

    @Test func aTextWithNothingInCommonIsPassedOnWholeWithAGapMark() {
        var cursor = RemoteLogCursor()
        _ = cursor.take(Self.bytes("1\n2\n"), final: false)
        let other = cursor.take(Self.bytes("x\ny\n"), final: false)
        #expect(Self.text(other.lines) == ["x", "y"] && other.gap)
    }

    @Test func theLineBeingWrittenIsHandedOverWhenTheFinalReadFails() {
        var cursor = RemoteLogCursor()
        _ = cursor.take(Self.bytes("1\nhalf"), final: false)
        #expect(cursor.takePartial() == Self.bytes("half"))
        #expect(cursor.takePartial() == nil)
    }

    /// Any growing log, read at any moments (a read may cut a line or a CRLF anywhere), passes on exactly the
    /// lines one final read of the whole log would — none repeated, none dropped.
    @Test func readsAtRandomMomentsPassOnExactlyTheLinesOfOneFinalRead() {
        var random = SplitMix64(seed: 20261206)
        let pieces = ["same\n", "same\n", "x", "\r\n", "\n", "ünï", "code\n", "", "a\r", "b\n", "tail"]
        for _ in 0..<500 {
            var full: [UInt8] = []
            for _ in 0..<Int.random(in: 0...30, using: &random) { full += Self.bytes(pieces.randomElement(using: &random)!) }
            var whole = RemoteLogCursor()
            let expected = whole.take(full, final: true).lines
            var cursor = RemoteLogCursor()
            var got: [[UInt8]] = []
            var at = 0
            while at < full.count {
                at = min(full.count, at + Int.random(in: 0...7, using: &random))
                let taken = cursor.take(Array(full[0..<at]), final: false)
                #expect(!taken.gap)
                got += taken.lines
            }
            got += cursor.take(full, final: true).lines
            #expect(got == expected, "\(String(decoding: full, as: UTF8.self).debugDescription)")
        }
    }

    /// One final read splits as the executor always did: `\n` ends a line, a `\r` before it goes, the last
    /// line counts without a terminator, an empty text has no line.
    @Test func oneFinalReadSplitsLinesAsBefore() {
        var cursor = RemoteLogCursor()
        #expect(Self.text(cursor.take(Self.bytes("hello\r\nfrom the cluster\n\nlast"), final: true).lines)
                == ["hello", "from the cluster", "", "last"])
        var empty = RemoteLogCursor()
        #expect(empty.take([], final: true).lines.isEmpty)
    }
}
