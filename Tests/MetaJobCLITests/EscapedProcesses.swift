import Foundation

/// Processes a test's jobs started and tried to hide (setsid, double fork, setpgid, nohup): each carries the
/// test's token in its environment, which every descendant inherits, so /proc finds them however they detached.
struct EscapedProcesses {
    /// The environment variable that marks them.
    static let variable = "METAJOB_CONTAINMENT_TOKEN"

    /// Why the containment tests cannot run here, or nil when they can: a setsid escape is only caught by a
    /// cgroup, which needs a cgroup2 hierarchy this process may write (root, or a delegated subtree).
    static let missingReason: String? = {
        for tool in ["perl", "setsid", "nohup"] where DashboardTmux.executable(tool) == nil {
            return "\(tool) is not installed: the containment tests start escaping processes with it"
        }
        guard let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else {
            return "/proc/self/mountinfo is unreadable: cannot look for a cgroup2 hierarchy"
        }
        let cgroup2 = mounts.split(separator: "\n").compactMap { line -> String? in
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { return nil }
            let fields = halves[0].split(separator: " ")
            return fields.count >= 5 ? String(fields[4]) : nil
        }.first
        guard let cgroup2 else {
            return "no cgroup2 hierarchy is mounted: metajob then contains jobs by process group only (README, Stopping), which a setsid escape leaves"
        }
        guard access(cgroup2, W_OK) == 0 else {
            return "cgroup2 at \(cgroup2) is not writable by this user: run the containment tests as root (README, Stopping, says what holds without a cgroup)"
        }
        return nil
    }()

    /// The unique token of one test.
    let token = "escape-\(UUID().uuidString)"

    /// The environment entry for a definition's `env:`.
    var environmentLine: String { "\(Self.variable): \(token)" }

    /// Live (non-zombie) processes carrying the token.
    func survivors() -> [pid_t] {
        let needle = Array("\(Self.variable)=\(token)".utf8)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard pid != getpid(), ProcessProbe.isAlive(pid),
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return data.split(separator: 0).contains { $0.elementsEqual(needle) }
        }
    }

    /// Waits (up to `seconds`) until no process carries the token; true when none does.
    func noneSurvive(within seconds: Double = 20) -> Bool {
        ProcessProbe.eventually(seconds) { survivors().isEmpty }
    }

    /// `noneSurvive` for async tests, without holding a cooperative thread while it waits.
    func noneSurvive(within seconds: Double = 20) async -> Bool {
        await ProcessProbe.eventually(seconds) { survivors().isEmpty }
    }

    /// What the survivors are, for a failure message.
    func describeSurvivors() -> String {
        survivors().map { pid in
            let command = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data())
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            let fields = ProcessProbe.stat(pid) ?? []
            let parent = fields.count > 1 ? String(fields[1]) : "?"
            return "\(pid) (parent \(parent)): \(command)"
        }.joined(separator: "; ")
    }

    /// Kills whatever survived, so a failing test leaves nothing behind.
    func killSurvivors() {
        for pid in survivors() { kill(pid, SIGKILL) }
    }
}
