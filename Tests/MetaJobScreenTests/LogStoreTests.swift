import MetaJobCore
import Testing
@testable import MetaJobScreen

/// Retained output stays within its bounds, dropping the oldest lines and counting them.
@Suite("Log retention")
struct LogStoreTests {
    @Test func perAttemptLineBoundDropsTheOldest() {
        var store = LogStore()
        store.maxLinesPerAttempt = 100
        store.append(job: 0, attempt: 1, stderr: false, lines: LogLines((1...250).map { Array("line \($0)".utf8) }))
        let log = store[LogKey(job: 0, attempt: 1)]!
        #expect(log.count == 100)
        #expect(log.dropped == 150)
        #expect(log[0].text == "line 151")
        #expect(log[99].text == "line 250")
    }

    @Test func totalBoundShrinksTheBiggestOtherLog() {
        var store = LogStore()
        store.maxBytesTotal = 100_000
        let line = [UInt8](repeating: 0x61, count: 968)  // 1,000 bytes with the per-line overhead
        store.append(job: 0, attempt: 1, stderr: false, lines: LogLines(Array(repeating: line, count: 80)))
        store.append(job: 1, attempt: 1, stderr: false, lines: LogLines(Array(repeating: line, count: 40)))
        #expect(store.totalBytes <= 100_000)
        #expect(store[LogKey(job: 1, attempt: 1)]!.count == 40, "the log being written keeps its lines")
        #expect(store[LogKey(job: 0, attempt: 1)]!.dropped > 0)
        let counted = store.logs.values.reduce(0) { $0 + $1.bytes }
        #expect(counted == store.totalBytes, "the total is kept exactly")
    }

    /// A line of control bytes is retained as text four times its size: the bound counts the text.
    @Test func controlBytesCountAsTheTextTheyBecome() {
        var store = LogStore()
        store.maxBytesPerAttempt = 100_000
        let nuls = [UInt8](repeating: 0, count: 1_000)  // shown as 4,000 characters of `\x00`
        store.append(job: 0, attempt: 1, stderr: false, lines: LogLines(Array(repeating: nuls, count: 100)))
        let log = store[LogKey(job: 0, attempt: 1)]!
        let retained = (0 ..< log.count).reduce(0) { $0 + log[$1].text.utf8.count }
        #expect(retained <= 100_000, "\(retained) bytes of text retained under a 100,000-byte bound")
        #expect(log.count == 24 && log.dropped == 76)
    }

    @Test func droppedLinesAreAnnouncedInTheLogPane() {
        var f = LiveRunFixture([("chatty", [])])
        f.send(.start, at: 0)
        f.start("chatty", at: 1)
        f.log("chatty", (1...20_050).map { Array("n\($0)".utf8) })
        var d = LiveRunFixture.dashboard(&f)
        _ = d.update(.key(.enter))
        _ = d.update(.key(.home))
        let text = d.render().text
        #expect(text.contains("50 earlier lines in the history"))
        #expect(text.contains("n51"))
    }
}
