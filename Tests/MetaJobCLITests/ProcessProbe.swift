import Foundation

/// What the reliability tests need to know about processes: which are alive, which belong to a group.
enum ProcessProbe {
    /// Waits up to `seconds` for `condition`, polling every 50 ms; false on timeout.
    static func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// `eventually` for async tests: sleeps with `Task.sleep`, so a long wait gives its cooperative thread back.
    /// A synchronous poll holds one of the pool's threads (two on this machine) for the whole wait, and two of
    /// them at once starved the loopback Control Service tests of the whole pool (DECISIONS.md).
    static func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return try condition()
    }

    /// The fields of /proc/PID/stat after the command name: state is [0], ppid [1], pgrp [2].
    static func stat(_ pid: pid_t) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// True while `pid` exists and is not a zombie (this container's PID 1 does not reap orphans, so a
    /// zombie counts as dead).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let fields = stat(pid), let state = fields.first else { return false }
        return state != "Z" && state != "X"
    }

    /// Every live (non-zombie) process in process group `pgid`.
    static func liveMembers(ofGroup pgid: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let fields = stat(pid), fields.count > 2 else { return false }
            return fields[2] == Substring(String(pgid)) && isAlive(pid)
        }
    }

    /// Kills what a test left behind: process group `pid` (with `group` false, process `pid`) — unless that number
    /// now belongs to another test's process: pids wrap at 32,768 here, and the suites spawn thousands, so a group
    /// long gone may be another suite's job by the time a cleanup runs. A live process of that number working
    /// outside `directory` is someone else's. (A group's number is not reused while any member lives, so with no
    /// process of that number, the group is ours or empty.)
    static func killLeftover(_ pid: pid_t, group: Bool = true, workingIn directory: String) {
        guard pid > 0, works(pid, in: directory) != false else { return }
        kill(group ? -pid : pid, SIGKILL)
    }

    /// Whether process `pid` works in `directory` or below it; nil when that cannot be read (no such process,
    /// or a zombie).
    static func works(_ pid: pid_t, in directory: String) -> Bool? {
        guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd") else { return nil }
        let place = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        return cwd == place || cwd.hasPrefix(place + "/")
    }

    /// The pid written (by `echo $$ > file`) into `path`, once it is there.
    static func pid(in path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Waits for `process` to exit, up to `seconds`; false if it is still running then.
    static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        eventually(seconds) { !process.isRunning }
    }

    /// `waitForExit` for async tests, without holding a cooperative thread.
    static func waitForExit(_ process: Process, seconds: Double) async -> Bool {
        await eventually(seconds) { !process.isRunning }
    }
}
