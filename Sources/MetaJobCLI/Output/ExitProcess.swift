#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends the process with `code`.
func exitProcess(_ code: Int32) -> Never {
    exit(code)
}
