#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Tells whether the process that recorded a run is still that process: pids get reused, so a live pid
/// alone proves nothing — its start time and program name must match what was recorded.
enum ProcessLiveness {
    /// This machine's name, as stored with each run.
    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }()

    /// This process's identity, recorded with each run it starts.
    static let current: (pid: Int32, start: Int64?, name: String?) = {
        let pid = getpid()
        return (pid, startTicks(pid), programName(pid))
    }()

    /// True unless the process is gone or the pid now belongs to another program.
    static func isAlive(pid: Int32, start: Int64?, name: String?) -> Bool {
        if pid == current.pid { return start == nil || start == current.start }
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        // A zombie has exited; it only waits for its parent (or an init that never reaps) to collect it.
        if let state = processState(pid), state == "Z" || state == "X" { return false }
        if let start, let now = startTicks(pid), now != start { return false }
        if let name, let now = programName(pid), now != name { return false }
        return true
    }

    /// Field 3 of /proc/PID/stat: R, S, D, Z (zombie), … (nil off Linux).
    static func processState(_ pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ").first.map(String.init)
    }

    /// Field 22 of /proc/PID/stat: the start time in clock ticks since boot (nil off Linux).
    static func startTicks(_ pid: Int32) -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // The command name may hold spaces and parentheses; the fields after the last ")" do not.
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return Int64(fields[19])
    }

    /// The base name of argv[0] from /proc/PID/cmdline (nil off Linux or when unreadable).
    static func programName(_ pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        let argv0 = data.prefix { $0 != 0 }
        let path = String(decoding: argv0, as: UTF8.self)
        return path.split(separator: "/").last.map(String.init) ?? path
    }
}
