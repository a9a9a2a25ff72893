/// Turns untrusted bytes (job output, names from a definition or the history) into text that is safe to put
/// into cells: one column per `Character`, no control character, no escape sequence, bounded length.
///
/// Steps: escape sequences (CSI incl. SGR colours, OSC incl. title and OSC 52 clipboard, DCS/SOS/PM/APC, and
/// two-byte ESC sequences) are dropped whole; what remains goes through `TerminalSanitizer` (other controls,
/// DEL and invalid UTF-8 become visible `\xNN`); tabs expand to the next multiple of 8; characters that are not
/// one column wide are replaced (wide → `?`) or dropped (zero-width), so the grid never shifts.
public enum ScreenText {
    /// Bytes of a line kept for display; the rest is counted, not converted (a 1 MB line costs 4 KB of work).
    public static let displayByteLimit = 4096

    /// `bytes` as safe single-width text, cut after `displayByteLimit` bytes with "... (N more bytes)".
    public static func line(_ bytes: ArraySlice<UInt8>) -> String {
        // Fast path, the common case: a short line of printable ASCII is its own display text.
        if bytes.count <= displayByteLimit, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return slowLine(bytes)
    }

    /// `line` for any byte collection.
    public static func line(_ bytes: some Collection<UInt8>) -> String {
        line(ArraySlice(bytes))
    }

    private static func slowLine(_ bytes: ArraySlice<UInt8>) -> String {
        var kept = Array(bytes.prefix(displayByteLimit))
        let extra = bytes.count - kept.count
        if extra > 0 {
            // Cut on a character boundary: a sequence the cut split is dropped, not shown as bad bytes.
            var lead = kept.count - 1
            while lead > 0, kept.count - lead < 4, kept[lead] & 0xC0 == 0x80 { lead -= 1 }
            let b = kept[lead]
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            let cut = lead + length > kept.count ? lead : kept.count
            kept.removeSubrange(cut...)
        }
        var text = cells(stripEscapes(kept))
        if extra > 0 { text += "... (\(bytes.count - kept.count) more bytes)" }
        return text
    }

    /// A string from a trusted-looking source (a job name, a run id) made safe the same way.
    public static func label(_ text: String) -> String { line(Array(text.utf8)) }

    /// Drops whole escape sequences; a lone ESC is dropped too. Output keeps every other byte.
    static func stripEscapes(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x1B) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            guard b == 0x1B else { out.append(b); i += 1; continue }
            i += 1
            guard i < n else { break }
            let kind = bytes[i]
            i += 1
            switch kind {
            case 0x5B: // CSI: parameters and intermediates, then one final byte.
                while i < n, (0x20...0x3F).contains(bytes[i]) { i += 1 }
                if i < n, (0x40...0x7E).contains(bytes[i]) { i += 1 }
            case 0x5D, 0x50, 0x58, 0x5E, 0x5F: // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \).
                while i < n {
                    if bytes[i] == 0x07 { i += 1; break }
                    if bytes[i] == 0x1B, i + 1 < n, bytes[i + 1] == 0x5C { i += 2; break }
                    i += 1
                }
            case 0x20...0x2F: // nF sequences (charset selection): one more byte.
                if i < n { i += 1 }
            default: // Two-byte sequences (ESC 7, ESC c, …).
                break
            }
        }
        return out
    }

    /// Sanitized, tab-expanded, one column per character.
    static func cells(_ bytes: [UInt8]) -> String {
        let safe = TerminalSanitizer.sanitize(bytes)
        if safe.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return safe }
        var out = String.UnicodeScalarView()
        var column = 0
        for scalar in safe.unicodeScalars {
            if scalar == "\t" {
                let next = (column / 8 + 1) * 8
                while column < next { out.append(" "); column += 1 }
                continue
            }
            switch width(scalar) {
            case 0: continue
            case 1: out.append(scalar)
            default: out.append("?")
            }
            column += 1
        }
        return String(out)
    }

    /// Display width of a scalar: 0 (combining, joiners, variation selectors), 1, or 2 (East Asian wide and
    /// emoji). Conservative: a character some terminals draw wide counts as wide, so it becomes `?`.
    static func width(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return 1 }
        switch v {
        case 0x300...0x36F, 0x483...0x489, 0x591...0x5BD, 0x610...0x61A, 0x64B...0x65F, 0x1AB0...0x1AFF,
             0x1DC0...0x1DFF, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F, 0x20D0...0x20FF,
             0xFE00...0xFE0F, 0xFE20...0xFE2F, 0xFEFF, 0x1160...0x11FF, 0xE0000...0xE0FFF:
            return 0
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23F3, 0x25FD...0x25FE,
             0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE,
             0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B,
             0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
             0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F000...0x1FAFF, 0x20000...0x3FFFD:
            return 2
        case 0xD800...0xDFFF:
            return 2
        default:
            // Other marks (general category M) are zero width.
            return scalar.properties.generalCategory == .nonspacingMark
                || scalar.properties.generalCategory == .enclosingMark ? 0 : 1
        }
    }
}
