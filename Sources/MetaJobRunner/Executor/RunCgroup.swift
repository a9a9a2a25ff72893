import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a run's job cgroups can live: a new cgroup v2 directory below metajob's own cgroup, created only
/// when this process may create it and move processes into it (root, or a delegated subtree).
enum RunCgroup {
    /// The cgroup2 mount point, from /proc/self/mountinfo (the first one; `/sys/fs/cgroup` on a unified
    /// system, `/sys/fs/cgroup/unified` on a hybrid one).
    static func mountPoint() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            // "id parent major:minor root mountpoint options ... - fstype source superoptions"
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5 else { continue }
            return unescape(String(fields[4]))
        }
        return nil
    }

    /// This process's cgroup v2 path ("0::/path" in /proc/self/cgroup).
    static func ownPath() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("0::") {
            return String(line.dropFirst(3))
        }
        return nil
    }

    /// Where this run's cgroup would go: `metajob-<pid>-<random>` below this process's cgroup v2; nil without
    /// a cgroup2 hierarchy. Chosen before the watchdog starts, so that the watchdog knows it from the start.
    static func candidatePath() -> String? {
        guard let mount = mountPoint(), let own = ownPath() else { return nil }
        let parent = own == "/" ? mount : mount + own
        return parent + "/metajob-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Creates `path` as a cgroup with `cgroup.kill`; false when it cannot (not permitted, it exists, a kernel
    /// before 5.14) — the caller then falls back to process groups.
    static func create(_ path: String) -> Bool {
        guard mkdir(path, 0o755) == 0 else { return false }
        guard access(path + "/cgroup.kill", W_OK) == 0 else {
            rmdir(path)
            return false
        }
        return true
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo.
    private static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
