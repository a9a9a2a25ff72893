import MetaJobScreen
import Testing

@Suite struct CellBufferTests {
    @Test func putClipsAtTheEdgeAndTextTrimsTrailingSpaces() {
        var buffer = CellBuffer(width: 6, height: 2)
        let end = buffer.put("abcdefgh", x: 2, y: 0, role: .header)
        #expect(end == 6)
        buffer.put("x", x: -1, y: 1)
        buffer.put("y", x: 0, y: 5)
        #expect(buffer.text == "  abcd\n")
        #expect(buffer.roles(row: 0) == [.normal, .normal, .header, .header, .header, .header])
    }

    @Test func fillAndSetRoleStayInside() {
        var buffer = CellBuffer(width: 4, height: 3)
        buffer.fill(x: 2, y: 1, width: 5, height: 5, "#", role: .border)
        buffer.setRole(.selection, x: -2, y: 2, width: 3)
        #expect(buffer.text == "\n  ##\n  ##")
        #expect(buffer.roles(row: 2) == [.selection, .normal, .border, .border])
        #expect(buffer[9, 9] == .blank)
        buffer.setRole(.error, x: 7, y: 0, width: 2)
        buffer.fill(x: 9, y: 5, width: 2, height: 2, "#")
        buffer.fill(x: 1, y: 1, width: -3, height: -1, "#")
        #expect(buffer.text == "\n  ##\n  ##", "rectangles wholly outside (or negative) change nothing")
    }
}
