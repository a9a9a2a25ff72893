extension TerminalColor {
    /// The closest of the 8 basic colours (0 black … 7 white), for terminals without 256 colours;
    /// nil for the terminal's default colour.
    public var nearestBasic: UInt8? {
        switch self {
        case .terminalDefault: return nil
        case .ansi(let n): return n % 8
        case .palette(let n):
            if n < 16 { return n % 8 }
            let rgb: (Int, Int, Int)
            if n >= 232 {
                let level = 8 + Int(n - 232) * 10
                rgb = (level, level, level)
            } else {
                let i = Int(n) - 16
                let steps = [0, 95, 135, 175, 215, 255]
                rgb = (steps[i / 36], steps[(i / 6) % 6], steps[i % 6])
            }
            // xterm's basic colours; nearest by squared distance.
            let basics = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229)]
            var best = 0
            var bestDistance = Int.max
            for (k, c) in basics.enumerated() {
                let d = (c.0 - rgb.0) * (c.0 - rgb.0) + (c.1 - rgb.1) * (c.1 - rgb.1) + (c.2 - rgb.2) * (c.2 - rgb.2)
                if d < bestDistance { bestDistance = d; best = k }
            }
            return UInt8(best)
        }
    }
}
