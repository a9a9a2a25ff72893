import Foundation

/// metajob started as the leader of a session and process group of its own (through `setsid`), so a test can
/// kill its whole process group, as `timeout -s KILL` or a CI runner does, without hitting itself.
struct MetajobInItsOwnSession {
    /// The `setsid` process (metajob itself when setsid did not need to fork).
    let launcher: Process
    /// metajob's pid, which is also its process group's id.
    let metajob: pid_t

    static func launch(_ args: [String], in directory: String, output: FileHandle) throws -> MetajobInItsOwnSession {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DashboardTmux.executable("setsid") ?? "/usr/bin/setsid")
        // --wait: when setsid has to fork, it waits for metajob and passes its exit status on.
        process.arguments = ["--wait", BinaryRunner.binary.path] + args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = BinaryRunner.testEnvironment()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let launcherPid = process.processIdentifier
        var found: pid_t = 0
        _ = ProcessProbe.eventually(30) {
            if Self.isMetajob(launcherPid) {
                found = launcherPid
            } else if let text = try? String(contentsOfFile: "/proc/\(launcherPid)/task/\(launcherPid)/children", encoding: .utf8),
                      let child = text.split(separator: " ").compactMap({ pid_t($0) }).first(where: Self.isMetajob) {
                found = child
            }
            guard found > 0, let fields = ProcessProbe.stat(found), fields.count > 2 else { return false }
            return fields[2] == Substring(String(found))
        }
        if found == 0 { kill(launcherPid, SIGKILL) }
        guard found > 0 else { throw CocoaError(.executableLoad) }
        return MetajobInItsOwnSession(launcher: process, metajob: found)
    }

    private static func isMetajob(_ pid: pid_t) -> Bool {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        return exe == BinaryRunner.binary.path
    }

    /// Waits up to `seconds` for metajob to exit; its exit code (128 + signal when killed), or nil on timeout.
    func waitForExit(seconds: Double) -> Int32? {
        guard ProcessProbe.waitForExit(launcher, seconds: seconds) else { return nil }
        return exitCode
    }

    /// `waitForExit` for async tests, without holding a cooperative thread while it waits.
    func waitForExit(seconds: Double) async -> Int32? {
        guard await ProcessProbe.waitForExit(launcher, seconds: seconds) else { return nil }
        return exitCode
    }

    /// The exited launcher's code, as a shell reports it (128 + signal when killed).
    private var exitCode: Int32 {
        let status = launcher.terminationStatus
        return launcher.terminationReason == .uncaughtSignal ? 128 + status : status
    }

    /// Kills metajob's process group and the launcher while the launcher runs (so metajob's pid cannot have
    /// been reused yet: it is the launcher, or the launcher's unreaped child); a no-op after the exit.
    func killAll() {
        guard launcher.isRunning else { return }
        if Self.isMetajob(metajob) { kill(-metajob, SIGKILL) }
        kill(launcher.processIdentifier, SIGKILL)
    }
}
