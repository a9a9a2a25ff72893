/// A named mapping from style roles to looks, loaded from `themes/` or compiled in.
public struct Theme: Sendable, Equatable {
    public var name: String
    /// The look of each role; a missing role looks like `.normal`.
    public var styles: [StyleRole: TerminalStyle]
    /// False for `mono`: the driver uses attributes only, never colour pairs.
    public var usesColor: Bool

    public init(name: String, styles: [StyleRole: TerminalStyle], usesColor: Bool = true) {
        self.name = name
        self.styles = styles
        self.usesColor = usesColor
    }

    /// The look of `role`.
    public func style(_ role: StyleRole) -> TerminalStyle {
        styles[role] ?? styles[.normal] ?? TerminalStyle()
    }
}
