/// What a local job runs: a shell string (`/bin/sh -c`) or an argv spawned directly.
public enum JobCommand: Sendable, Equatable {
    case shell(String)
    case argv([String])

    /// The argv to spawn.
    public var argv: [String] {
        switch self {
        case .shell(let script): return ["/bin/sh", "-c", script]
        case .argv(let argv): return argv
        }
    }
}
