/// A tmux command that failed.
struct TmuxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
