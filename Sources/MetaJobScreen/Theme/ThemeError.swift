/// Why a theme could not be used; `description` says what is wrong and what to do.
public struct ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what to do, ready to print.
    public let description: String

    /// An error with its message.
    public init(_ description: String) { self.description = description }
}
