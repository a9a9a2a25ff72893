import Foundation

/// Looks at processes from the outside, for tests that check nothing a job started survives.
enum ProcessProbe {
    /// The state letter in /proc/PID/stat (R, S, Z, …), nil when there is no such process.
    static func state(_ pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].split(separator: " ").first.map(String.init)
    }

    /// True when the process no longer runs: gone, or a zombie waiting for a reaper (it has exited).
    /// Polls briefly, because a SIGKILL is delivered asynchronously.
    static func isGone(_ pid: pid_t, within seconds: Double = 2) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let s = state(pid)
            if s == nil || s == "Z" || s == "X" { return true }
            usleep(5_000)
        } while Date() < deadline
        return false
    }
}
