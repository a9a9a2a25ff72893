import CNcursesw
import MetaJobScreen
import Testing
@testable import MetaJobTerminal

/// What `get_wch` returns, decoded into the screen layer's keys.
@Suite struct KeyDecoderTests {
    @Test func controlCharacters() {
        #expect(KeyDecoder.character(13) == .enter)
        #expect(KeyDecoder.character(10) == .enter)
        #expect(KeyDecoder.character(9) == .tab)
        #expect(KeyDecoder.character(27) == .escape)
        #expect(KeyDecoder.character(127) == .backspace)
        #expect(KeyDecoder.character(8) == .backspace)
        #expect(KeyDecoder.character(1) == .ctrl("a"))
        #expect(KeyDecoder.character(3) == .ctrl("c"))
        #expect(KeyDecoder.character(26) == .ctrl("z"))
        #expect(KeyDecoder.character(0) == nil)
        #expect(KeyDecoder.character(0x9B) == nil, "C1 controls never become keys")
    }

    @Test func printableCharactersIncludingUTF8() {
        #expect(KeyDecoder.character(UInt32(UInt8(ascii: "q"))) == .character("q"))
        #expect(KeyDecoder.character(UInt32(UInt8(ascii: "R"))) == .character("R"))
        #expect(KeyDecoder.character(UInt32(UInt8(ascii: "/"))) == .character("/"))
        #expect(KeyDecoder.character(0xE9) == .character("é"))
        #expect(KeyDecoder.character(0x65E5) == .character("日"))
    }

    @Test func functionKeys() {
        #expect(KeyDecoder.function(KEY_UP) == .up)
        #expect(KeyDecoder.function(KEY_DOWN) == .down)
        #expect(KeyDecoder.function(KEY_LEFT) == .left)
        #expect(KeyDecoder.function(KEY_RIGHT) == .right)
        #expect(KeyDecoder.function(KEY_PPAGE) == .pageUp)
        #expect(KeyDecoder.function(KEY_NPAGE) == .pageDown)
        #expect(KeyDecoder.function(KEY_HOME) == .home)
        #expect(KeyDecoder.function(KEY_END) == .end)
        #expect(KeyDecoder.function(KEY_BTAB) == .backTab)
        #expect(KeyDecoder.function(KEY_BACKSPACE) == .backspace)
        #expect(KeyDecoder.function(KEY_ENTER) == .enter)
        #expect(KeyDecoder.function(mj_key_f0() + 1) == .function(1))
        #expect(KeyDecoder.function(mj_key_f0() + 12) == .function(12))
        #expect(KeyDecoder.function(mj_key_f0() + 13) == nil)
        #expect(KeyDecoder.function(KEY_MOUSE) == nil)
    }
}
