#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MetaJobScreen

/// Direct writes for the commands' own messages (not the run's event stream).
enum CLIOutput {
    static func stdout(_ text: String) { write(1, text) }
    static func stderr(_ text: String) { write(2, text) }

    /// `error: …` on stderr.
    static func error(_ message: String) { write(2, "error: " + TerminalSanitizer.sanitizeText(message) + "\n") }

    private static func write(_ fd: Int32, _ text: String) {
        let w = OutputWriter(fd: fd)
        w.write(text)
        w.flush()
    }
}
