import CNcursesw
import MetaJobScreen

/// The ncurses attributes and colour pair of each style role under one theme; pairs are allocated on first use.
///
/// Owned by the driver's queue, like every other ncurses state.
struct StylePalette {
    /// What the terminal can do, found once at start.
    struct Capabilities {
        var hasColor: Bool
        var colors: Int
        var pairs: Int
        /// The colour number meaning "the terminal's own" (-1 with use_default_colors, else white/black).
        var defaultForeground: Int16
        var defaultBackground: Int16
    }

    private let capabilities: Capabilities
    private var pairs: [PairKey: Int32] = [:]
    private var looks: [StyleRole: (attrs: attr_t, pair: Int32)] = [:]
    private var themeName: String?

    private struct PairKey: Hashable { var fg: Int16; var bg: Int16 }

    init(capabilities: Capabilities) {
        self.capabilities = capabilities
    }

    /// Attributes and pair for `role` in `theme`.
    mutating func look(_ role: StyleRole, theme: Theme) -> (attrs: attr_t, pair: Int32) {
        if themeName != theme.name {
            looks.removeAll(keepingCapacity: true)
            themeName = theme.name
        }
        if let cached = looks[role] { return cached }
        let style = theme.style(role)
        var attrs: attr_t = 0
        if style.bold { attrs |= mj_attr_bold() }
        if style.underline { attrs |= mj_attr_underline() }
        if style.reverse { attrs |= mj_attr_reverse() }
        if style.dim { attrs |= mj_attr_dim() }
        var pair: Int32 = 0
        if theme.usesColor && capabilities.hasColor {
            let fg = BasicColorMapping.number(style.foreground, colors: capabilities.colors, defaultColor: capabilities.defaultForeground)
            let bg = BasicColorMapping.number(style.background, colors: capabilities.colors, defaultColor: capabilities.defaultBackground)
            pair = pairNumber(fg: fg, bg: bg)
        } else if role.isHighlight, attrs == 0 {
            // Without colour a highlight must still show: reverse video.
            attrs |= mj_attr_reverse()
        }
        looks[role] = (attrs, pair)
        return (attrs, pair)
    }

    private mutating func pairNumber(fg: Int16, bg: Int16) -> Int32 {
        let key = PairKey(fg: fg, bg: bg)
        if let existing = pairs[key] { return existing }
        let next = Int32(pairs.count + 1)
        guard next < capabilities.pairs, next < Int32(Int16.max) else { return 0 }
        init_pair(Int16(next), fg, bg)
        pairs[key] = next
        return next
    }
}
