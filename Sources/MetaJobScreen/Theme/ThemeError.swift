/// Why a theme could not be used; `description` says what is wrong and what to do.
public struct ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
