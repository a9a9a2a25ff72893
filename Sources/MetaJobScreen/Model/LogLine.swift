/// One retained output line, already neutralised for the screen.
struct LogLine: Sendable, Equatable {
    var text: String
    var stderr: Bool
    /// Bytes as written (what the memory bound counts).
    var byteCount: Int
}
