/// A colour as a terminal knows it. Themes use 256-colour indices; the driver maps them down to 8 colours
/// (`nearestBasic`) on terminals that have no more.
public enum TerminalColor: Sendable, Equatable, Hashable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 16 ANSI colours (0 black … 7 white, 8–15 bright).
    case ansi(UInt8)
    /// An xterm 256-colour palette index.
    case palette(UInt8)
}
