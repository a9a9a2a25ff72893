/// One character cell of the screen: what to draw and what it means.
public struct Cell: Sendable, Equatable {
    /// The character drawn in this cell (one column wide; already neutralised: never a control character).
    public var character: Character
    public var role: StyleRole

    public init(_ character: Character = " ", role: StyleRole = .normal) {
        self.character = character
        self.role = role
    }

    /// An empty cell in the normal role.
    public static let blank = Cell()
}
