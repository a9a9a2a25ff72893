import MetaJobCore
import Testing
@testable import MetaJobScreen

/// Job output is untrusted: whatever bytes a job writes become harmless single-width cells.
@Suite("Hostile job output")
struct HostileOutputTests {
    static func isHarmless(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { s in
            !(s.value < 0x20 || s.value == 0x7F || (0x80..<0xA0).contains(s.value)) && ScreenText.width(s) == 1
        }
    }

    @Test func escapeSequencesAreDroppedAndControlsMadeVisible() {
        #expect(ScreenText.line(Array("\u{1B}[2Jcleared?".utf8)) == "cleared?")
        #expect(ScreenText.line(Array("a\u{1B}]0;evil title\u{07}b".utf8)) == "ab")
        #expect(ScreenText.line(Array("x\u{1B}]52;c;c2VjcmV0\u{07}y".utf8)) == "xy", "OSC 52 clipboard write")
        #expect(ScreenText.line(Array("x\u{1B}]52;c;c2VjcmV0\u{1B}\\y".utf8)) == "xy", "OSC ended by ST")
        #expect(ScreenText.line(Array("\u{1B}P1$r0m\u{1B}\\dcs".utf8)) == "dcs")
        #expect(ScreenText.line(Array("\u{1B}[31mred\u{1B}[0m plain".utf8)) == "red plain", "SGR colours are stripped")
        #expect(ScreenText.line([0x41, 0x00, 0x42, 0x7F, 0x43]) == "A\\x00B\\x7fC")
        #expect(ScreenText.line([0x41, 0xFF, 0xC3]) == "A\\xff\\xc3", "invalid UTF-8")
        #expect(ScreenText.line([0xC2, 0x9B, 0x32, 0x4A]) == "\\u{9b}2J", "C1 CSI stays visible text")
        #expect(ScreenText.line(Array("a\rb\u{08}c".utf8)) == "a\\x0db\\x08c")
        #expect(ScreenText.line(Array("tail\u{1B}".utf8)) == "tail")
    }

    @Test func tabsExpandAndWideCharactersKeepTheGrid() {
        #expect(ScreenText.line(Array("a\tb".utf8)) == "a       b")
        #expect(ScreenText.line(Array("名前".utf8)) == "??", "wide characters become ? (one column each)")
        #expect(ScreenText.line(Array("ok 🎉".utf8)) == "ok ?")
        #expect(ScreenText.line(Array("e\u{301}x\u{200B}".utf8)) == "ex", "zero-width characters are dropped")
        #expect(ScreenText.line(Array("héllo ✓".utf8)) == "héllo ✓")
    }

    @Test func aMegabyteLineIsCutForDisplay() {
        let line = [UInt8](repeating: UInt8(ascii: "z"), count: 1 << 20)
        let text = ScreenText.line(line)
        #expect(text.hasPrefix(String(repeating: "z", count: 4096)))
        #expect(text.hasSuffix("... (\((1 << 20) - 4096) more bytes)"))
        // A cut inside a multi-byte character drops the partial character.
        let accented = [UInt8](repeating: 0x41, count: 4095) + Array("é".utf8) + [0x41]
        #expect(ScreenText.line(accented) == String(repeating: "A", count: 4095) + "... (3 more bytes)")
    }

    @Test func hostileLinesRenderAsHarmlessCells() {
        var f = LiveRunFixture([("evil", [])])
        f.send(.start, at: 0)
        f.start("evil", at: 1)
        let hostile: [[UInt8]] = [
            Array("\u{1B}[2J\u{1B}[H".utf8) + Array("after clear".utf8),
            Array("\u{1B}]0;pwned\u{07}title".utf8),
            Array("\u{1B}]52;c;cm0gLXJmIC8=\u{07}clip".utf8),
            [0x6E, 0x75, 0x6C, 0x00, 0x21],
            [0xF0, 0x28, 0x8C, 0x28, 0x62, 0x61, 0x64],
            Array("wide 名 and tab\tend".utf8),
        ]
        f.log("evil", hostile)
        var d = LiveRunFixture.dashboard(&f, width: 120, height: 30)
        _ = d.update(.key(.enter))
        let frame = d.render()
        for y in 0..<frame.height {
            #expect(Self.isHarmless(frame.row(y)), "row \(y) is harmless")
        }
        let text = frame.text
        #expect(text.contains("after clear"))
        #expect(text.contains(" title"))
        #expect(!text.contains("pwned"))
        #expect(text.contains("nul\\x00!"))
        #expect(text.contains("\\xf0(\\x8c(bad"))
        #expect(text.contains("wide ? and tab  end"))
    }

    @Test func hostileNamesAndReasonsAreNeutralisedToo() {
        var f = LiveRunFixture([("bad\u{1B}]0;x\u{07}name", [])])
        f.send(.start, at: 0)
        let d = LiveRunFixture.dashboard(&f)
        let frame = d.render()
        #expect(frame.text.contains("badname"))
        #expect(!frame.text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }
}
