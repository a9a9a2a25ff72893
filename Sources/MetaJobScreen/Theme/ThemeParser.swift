/// Reads the theme file format (see `themes/README.md`): `ROLE = [fg:COLOR] [bg:COLOR] [bold] …` per line.
public enum ThemeParser {
    /// Parses `text` into a theme called `name`; `file` names the source in errors (`file:line: …`).
    public static func parse(_ text: String, name: String, file: String) -> Result<Theme, ThemeError> {
        var styles: [StyleRole: TerminalStyle] = [:]
        let roles = Dictionary(uniqueKeysWithValues: StyleRole.allCases.map { ($0.themeKey, $0) })
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty { continue }
            func fail(_ what: String) -> Result<Theme, ThemeError> {
                .failure(ThemeError("\(file):\(number): \(what)"))
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                return fail("expected `ROLE = STYLE` (for example `state.running = fg:39 bold`), found `\(ScreenText.label(String(trimmed)))`")
            }
            let key = trimmed[..<equals].trimmingSpaces
            guard let role = roles[String(key)] else {
                return fail("unknown role `\(ScreenText.label(String(key)))`; the roles are: "
                    + StyleRole.allCases.map(\.themeKey).joined(separator: ", "))
            }
            guard styles[role] == nil else { return fail("`\(key)` is set twice; keep one line for it") }
            var style = TerminalStyle()
            for word in trimmed[trimmed.index(after: equals)...].split(separator: " ") where !word.isEmpty {
                switch word {
                case "default": break
                case "bold": style.bold = true
                case "underline": style.underline = true
                case "reverse": style.reverse = true
                case "dim": style.dim = true
                default:
                    if word.hasPrefix("fg:") || word.hasPrefix("bg:") {
                        guard let color = color(word.dropFirst(3)) else {
                            return fail("`\(ScreenText.label(String(word)))`: a colour is 0-255, default, "
                                + "black, red, green, yellow, blue, magenta, cyan, white or bright-NAME")
                        }
                        if word.hasPrefix("fg:") { style.foreground = color } else { style.background = color }
                    } else {
                        return fail("unknown style `\(ScreenText.label(String(word)))`; use fg:COLOR, bg:COLOR, bold, underline, reverse, dim or default")
                    }
                }
            }
            styles[role] = style
        }
        guard !styles.isEmpty else {
            return .failure(ThemeError("\(file): the theme sets no role; add lines like `state.running = fg:39 bold`"))
        }
        let usesColor = styles.values.contains { $0.foreground != .terminalDefault || $0.background != .terminalDefault }
        return .success(Theme(name: name, styles: styles, usesColor: usesColor))
    }

    private static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    private static func color(_ text: Substring) -> TerminalColor? {
        if text == "default" { return .terminalDefault }
        if let n = Int(text) { return (0...255).contains(n) ? .palette(UInt8(n)) : nil }
        if let k = names.firstIndex(of: String(text)) { return .ansi(UInt8(k)) }
        if text.hasPrefix("bright-"), let k = names.firstIndex(of: String(text.dropFirst(7))) { return .ansi(UInt8(k + 8)) }
        return nil
    }
}
