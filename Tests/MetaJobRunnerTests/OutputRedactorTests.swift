import Testing
import MetaJobCore
@testable import MetaJobRunner

/// The redactor that keeps metajob's token out of what local jobs write.
@Suite("Output redactor")
struct OutputRedactorTests {
    static let token = "rt-0123456789abcdef"

    @Test func noSecretMeansNoRedactor() {
        #expect(OutputRedactor(environment: [:]) == nil)
        #expect(OutputRedactor(environment: ["VDK_API_TOKEN": "short"]) == nil, "a value shorter than 8 bytes would hit ordinary text")
        #expect(OutputRedactor(environment: ["OTHER": Self.token]) == nil, "only the named secret variables count")
    }

    @Test func everyOccurrenceIsReplacedAndLinesKeepTheirShape() throws {
        let redactor = try #require(OutputRedactor(environment: ["VDK_API_TOKEN": Self.token]))
        let t = Self.token
        let built = LogLines([Array("a \(t) b\(t)\(t)".utf8), Array("clean".utf8), Array(t.utf8)])
        let input = LogLines(bytes: built.bytes, ends: built.ends, unterminated: [2])
        let out = redactor.redact(input)
        #expect(out.map { String(decoding: $0, as: UTF8.self) } == ["a [redacted] b[redacted][redacted]", "clean", "[redacted]"])
        #expect(out.unterminated == [2], "the unterminated last line stays unterminated")
        #expect(!String(decoding: out.bytes, as: UTF8.self).contains(t))
    }

    @Test func cleanOutputIsPassedThroughUntouched() throws {
        let redactor = try #require(OutputRedactor(environment: ["VDK_API_TOKEN": Self.token]))
        let input = LogLines([Array("rt-0123456789abcde".utf8), [0xFF, 0x00], Array("nothing here".utf8)])
        #expect(redactor.redact(input) == input, "a token cut short is not the token")
    }
}
