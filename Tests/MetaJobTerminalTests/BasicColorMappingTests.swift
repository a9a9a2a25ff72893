import MetaJobScreen
import Testing
@testable import MetaJobTerminal

/// Theme colours onto the terminal's colour numbers: as they are with 256 colours, the nearest basic colour with 8.
@Suite struct BasicColorMappingTests {
    @Test func keepsPaletteColoursOn256ColourTerminals() {
        #expect(BasicColorMapping.number(.palette(196), colors: 256, defaultColor: -1) == 196)
        #expect(BasicColorMapping.number(.ansi(9), colors: 256, defaultColor: -1) == 9)
        #expect(BasicColorMapping.number(.terminalDefault, colors: 256, defaultColor: -1) == -1)
    }

    @Test func mapsDownOn8ColourTerminals() {
        #expect(BasicColorMapping.number(.palette(196), colors: 8, defaultColor: -1) == 1, "bright red → red")
        #expect(BasicColorMapping.number(.palette(46), colors: 8, defaultColor: -1) == 2, "bright green → green")
        #expect(BasicColorMapping.number(.palette(21), colors: 8, defaultColor: -1) == 4, "blue → blue")
        #expect(BasicColorMapping.number(.ansi(9), colors: 8, defaultColor: 7) == 1, "bright ANSI red → red")
        #expect(BasicColorMapping.number(.terminalDefault, colors: 8, defaultColor: 7) == 7)
    }
}
