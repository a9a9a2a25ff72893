#if canImport(Glibc)
import Glibc
#endif

/// The watchdog could not be started (socketpair, malloc or fork failed with `code`).
public struct WatchdogError: Error, CustomStringConvertible {
    /// The errno value.
    public var code: Int32
    public var description: String {
        "cannot start the process-group watchdog: \(String(cString: strerror(code)))"
    }
}
