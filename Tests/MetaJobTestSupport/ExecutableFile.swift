import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes the scripts tests run as programs (a stand-in `vdk`, a helper shell script).
public enum ExecutableFile {
    /// Writes `text` to a new file at `path`, mode 0755, through an O_CLOEXEC descriptor. Why not
    /// `String.write(toFile:)`: other suites spawn processes meanwhile, and a child forked while a plain
    /// descriptor of the script is open for writing keeps it open, so exec of the script fails with ETXTBSY
    /// (seen in CI as a stand-in `vdk` that never ran).
    public static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw Failure(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
        // The mode is set again in case the file existed with other permissions (open's mode only applies
        // to a new file).
        guard fchmod(fd, 0o755) == 0 else { throw Failure(message: "cannot chmod \(path)") }
    }

    /// Why a script could not be written.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with the path.
        public let message: String
        /// The message.
        public var description: String { message }
    }
}
