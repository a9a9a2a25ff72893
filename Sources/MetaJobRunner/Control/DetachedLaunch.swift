import CMetajobSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a copy of this metajob in the background for `metajob run --detach`: its own session (no terminal,
/// immune to the terminal closing), stdin and stdout /dev/null, stderr a pipe back to the starter until the run
/// has started. The child says `started RUN-ID` on it once running (then drops it); anything before that is
/// an error for the user, and the pipe closing without it means the child gave up (its exit code says why).
public enum DetachedLaunch {
    /// The environment variable that tells the child it runs detached; its value is the linger in seconds.
    public static let lingerVariable = "METAJOB_DETACHED_LINGER"
    /// The line the child writes on stderr once its run has started: `started RUN-ID` then, after a tab, its
    /// control socket's path when it serves one.
    public static let startedPrefix = "started "
    /// Set (to "3") for the background copy a dashboard started (`Leash`): its fd 3 is the dashboard's leash.
    public static let leashVariable = "METAJOB_DETACHED_LEASH"

    /// What became of the child.
    public enum Outcome: Sendable, Equatable {
        /// The run started; its id, its control socket (nil: it serves none), and what the child said before
        /// (warnings).
        case started(runId: String, socket: String?, said: String)
        /// The child exited before starting the run, with this code and what it said.
        case failed(code: Int32, message: String)
    }

    /// Starts `/proc/self/exe arguments…` detached with `environment`, and waits until its run has started or
    /// it has given up. `leash`: a descriptor the child gets as its fd 3 (-1: none). Throws a message when it
    /// cannot be started at all.
    public static func start(arguments: [String], environment: [String: String], leash: Int32 = -1) throws(ControlDirectory.Problem) -> Outcome {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw ControlDirectory.Problem(message: "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        // Close-on-exec: only the child's stderr (a dup) keeps the write end open in the child.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = metajob_spawn_detached(executable, argv, envp, fds[1], leash, &pid)
        Glibc.close(fds[1])
        guard result == 0 else {
            Glibc.close(fds[0])
            throw ControlDirectory.Problem(message: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        var said: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            said += buffer[0 ..< n]
            let text = String(decoding: said, as: UTF8.self)
            if let range = text.range(of: "\n" + startedPrefix) ?? (text.hasPrefix(startedPrefix) ? text.range(of: startedPrefix) : nil),
               let end = text[range.upperBound...].firstIndex(of: "\n") {
                Glibc.close(fds[0])
                // The run goes on without us; the child is reaped by init once we exit.
                let fields = text[range.upperBound ..< end].split(separator: "\t", maxSplits: 1).map(String.init)
                return .started(runId: fields.first ?? "", socket: fields.count > 1 ? fields[1] : nil,
                                said: String(text[..<range.lowerBound]))
            }
        }
        Glibc.close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return .failed(code: code, message: String(decoding: said, as: UTF8.self))
    }
}
