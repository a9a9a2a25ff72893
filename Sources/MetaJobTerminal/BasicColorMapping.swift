import MetaJobScreen

/// Maps theme colours onto what the terminal has: 256 colours as they are, else the nearest of the 8 basic ones.
enum BasicColorMapping {
    /// The ncurses colour number for `color` on a terminal with `colors` colours (-1: the terminal's default).
    static func number(_ color: TerminalColor, colors: Int, defaultColor: Int16) -> Int16 {
        switch color {
        case .terminalDefault: return defaultColor
        case .ansi(let n):
            if colors >= 16 { return Int16(n & 15) }
            return Int16(n & 7)
        case .palette(let n):
            if colors >= 256 { return Int16(n) }
            return nearestBasic(n)
        }
    }

    /// The basic colour (0–7) closest to xterm palette index `n`.
    static func nearestBasic(_ n: UInt8) -> Int16 {
        let (r, g, b) = rgb(n)
        // Each basic colour is "channel on" when it is clearly lit; black/white split on brightness.
        let threshold = 0x5f
        var bits = 0
        if r >= threshold { bits |= 1 }
        if g >= threshold { bits |= 2 }
        if b >= threshold { bits |= 4 }
        if bits == 0, max(r, g, b) >= 0x40 {
            // Dark but not black: keep the dominant channel so a dim red stays red.
            if r >= g, r >= b { bits = 1 } else if g >= b { bits = 2 } else { bits = 4 }
        }
        return Int16(bits)
    }

    /// The RGB value of xterm palette index `n`.
    static func rgb(_ n: UInt8) -> (Int, Int, Int) {
        switch n {
        case 0 ..< 16:
            let base = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
            return base[Int(n)]
        case 16 ..< 232:
            let i = Int(n) - 16
            let levels = [0, 95, 135, 175, 215, 255]
            return (levels[i / 36], levels[(i / 6) % 6], levels[i % 6])
        default:
            let v = 8 + (Int(n) - 232) * 10
            return (v, v, v)
        }
    }
}
