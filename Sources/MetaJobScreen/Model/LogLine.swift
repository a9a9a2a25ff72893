/// One retained output line, already neutralised for the screen.
struct LogLine: Sendable, Equatable {
    var text: String
    var stderr: Bool
    /// What the memory bound counts: the bytes as written, or the text's if that is more (a control byte
    /// shows as four characters, so a line of NULs takes four times its size).
    var byteCount: Int

    /// `bytes` neutralised for the screen.
    init(bytes: ArraySlice<UInt8>, stderr: Bool) {
        text = ScreenText.line(bytes)
        self.stderr = stderr
        byteCount = max(bytes.count, text.utf8.count)
    }
}
