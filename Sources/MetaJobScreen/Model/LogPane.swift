/// The logs pane's own state: where it is scrolled, what it searches, how it shows lines. A run put on screen
/// starts with a fresh one.
struct LogPane: Sendable {
    /// The first line shown (when not following).
    var top = 0
    /// Follows the newest line (`f`).
    var follow = true
    /// Long lines wrap (`w`).
    var wrap = false
    /// The attempt whose log is shown (`a`); nil: the latest.
    var viewedAttempt: Int?
    /// What `/` searches for.
    var searchQuery = ""
    /// The line the search found.
    var searchLine: Int?
}
