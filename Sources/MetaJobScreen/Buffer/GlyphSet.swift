import MetaJobCore

/// The characters views draw with: Unicode box drawing and state glyphs, or plain ASCII when the locale
/// is not UTF-8 (`--ascii`). Every glyph is one column wide.
public struct GlyphSet: Sendable, Equatable {
    /// Box drawing: lines, corners, tees.
    public let horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Character
    /// Tees and crossing; the arrow head of an edge; a timeline bar cell; an ellipsis.
    public let teeRight, teeLeft, teeDown, teeUp, cross, arrow, bar, ellipsis: Character
    /// Foresight: a running job past its p90, a job on the critical path, a cell of an expected bar, and the
    /// filled and empty cells of a progress bar.
    public let overdue, critical, expected, progressDone, progressLeft: Character
    /// True for the ASCII set.
    public let isASCII: Bool
    private let states: [Character]

    /// Box drawing and symbols (✓ ✗ ● …).
    public static let unicode = GlyphSet(
        box: Array("─│┌┐└┘├┤┬┴┼▶█…"), states: Array("○◌◷◑●✓✗✖⊘»-"), foresight: Array("⚑◆░▰▱"), ascii: false)
    /// ASCII only: `-|+` boxes, letters and signs for states.
    public static let ascii = GlyphSet(
        box: Array("-|+++++++++>#~"), states: Array(".:~>*+x!/=-"), foresight: Array("!@.#-"), ascii: true)

    private init(box: [Character], states: [Character], foresight: [Character], ascii: Bool) {
        (overdue, critical, expected, progressDone, progressLeft) = (foresight[0], foresight[1], foresight[2], foresight[3], foresight[4])
        (horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight) = (box[0], box[1], box[2], box[3], box[4], box[5])
        (teeRight, teeLeft, teeDown, teeUp, cross, arrow, bar, ellipsis) = (box[6], box[7], box[8], box[9], box[10], box[11], box[12], box[13])
        self.states = states
        self.isASCII = ascii
    }

    /// `text` cut to `width` columns, its last column an ellipsis when anything was cut (so a cut name never
    /// reads as a whole, different name).
    public func fitted(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(width - 1)) + String(ellipsis)
    }

    /// The glyph of a job state (always drawn next to its word, never alone).
    public func glyph(_ state: JobState) -> Character { states[state.ordinal] }

    /// The set for a locale: ASCII unless `LC_ALL`, else `LC_CTYPE`, else `LANG` names UTF-8.
    public static func forLocale(environment: [String: String]) -> GlyphSet {
        let locale = [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let lower = locale.lowercased()
        return lower.contains("utf-8") || lower.contains("utf8") ? .unicode : .ascii
    }

    /// The character for a cell where lines meet, from the directions it connects (`EdgeMask`).
    func junction(_ mask: UInt8) -> Character {
        let up = mask & EdgeMask.up != 0, down = mask & EdgeMask.down != 0
        let left = mask & EdgeMask.left != 0, right = mask & EdgeMask.right != 0
        switch (up, down, left, right) {
        case (false, false, _, _): return horizontal
        case (_, _, false, false): return vertical
        case (false, true, false, true): return topLeft
        case (false, true, true, false): return topRight
        case (true, false, false, true): return bottomLeft
        case (true, false, true, false): return bottomRight
        case (true, true, false, true): return teeRight
        case (true, true, true, false): return teeLeft
        case (false, true, true, true): return teeDown
        case (true, false, true, true): return teeUp
        default: return cross
        }
    }
}
