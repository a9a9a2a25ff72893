import Testing
@testable import MetaJobCLI
import MetaJobCore
import MetaJobScreen

@Suite("Output formatting")
struct OutputFormattingTests {
    @Test func sanitizerNeutralizesEscapesAndInvalidUTF8() {
        #expect(TerminalSanitizer.sanitize(Array("plain text\twith tab".utf8)) == "plain text\twith tab")
        #expect(TerminalSanitizer.sanitize([0x1B, 0x5B, 0x32, 0x4A]) == "\\x1b[2J")
        #expect(TerminalSanitizer.sanitize(Array("\u{1B}]52;c;aGk=\u{07}".utf8)) == "\\x1b]52;c;aGk=\\x07")
        #expect(TerminalSanitizer.sanitize([0xFF, 0x41, 0x00]) == "\\xffA\\x00")
        #expect(TerminalSanitizer.sanitize(Array("héllo ✓".utf8)) == "héllo ✓")
        #expect(TerminalSanitizer.sanitize([0xC2, 0x9B]) == "\\u{9b}", "C1 CSI is neutralized too")
        #expect(TerminalSanitizer.sanitize([0xE2, 0x82]) == "\\xe2\\x82", "a truncated sequence")
    }

    @Test func isoTimesAreUTCWithMilliseconds() {
        #expect(TimeFormat.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(TimeFormat.iso8601(1_795_532_412.3456) == "2026-11-24T15:00:12.346Z")
        #expect(TimeFormat.iso8601(59.9999) == "1970-01-01T00:01:00.000Z")
    }

    @Test func durations() {
        #expect(TimeFormat.duration(0.421) == "0.42s")
        #expect(TimeFormat.duration(12.34) == "12.3s")
        #expect(TimeFormat.duration(245) == "4m05s")
        #expect(TimeFormat.duration(7380) == "2h03m")
    }

    @Test func base64() {
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode([0xFF, 0xFE]) == "//4=")
    }
}
