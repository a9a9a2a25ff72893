/// A one-line message in the footer (a refused key, a failed load), until the next key.
struct StatusMessage: Sendable, Equatable {
    var text: String
    var role: StyleRole
}
