import MetaJobScreen

/// Maps theme colours onto what the terminal has: 256 colours as they are, else the nearest of the 8 basic ones
/// (the screen layer's `nearestBasic`).
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
            return Int16(color.nearestBasic ?? 7)
        }
    }
}
