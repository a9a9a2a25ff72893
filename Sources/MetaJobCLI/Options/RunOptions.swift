import ArgumentParser
import MetaJobCore

/// Options shared by the commands that run a meta job (`run`, `demo`).
struct RunOptions: ParsableArguments {
    @Flag(name: .long, help: "Print plain lines or NDJSON instead of opening the dashboard.")
    var noTui = false

    @Option(name: .long, help: "Headless output: plain or json (NDJSON, one event per line).")
    var output: OutputFormat = .plain

    @Flag(name: .long, help: "Also print the jobs' output (prefixed by the job name).")
    var logs = false

    @Option(name: .long, help: "At most N jobs submitted or running at once (default 15).")
    var maxConcurrent: Int?

    @Option(name: .long, help: "Where jobs run unless they say otherwise: local or remote.")
    var executor: ExecutorKindArgument?

    @Option(name: .long, help: "When a job fails the meta job: wait for running jobs, or cancel them.")
    var onFailure: FailurePolicyArgument = .wait

    @Option(name: .long, help: "Execution type in started_by: manual or scheduled.")
    var executionType: ExecutionType = .manual

    @Option(name: .long, help: "Seconds between SIGTERM and SIGKILL when a job is stopped (default 10).")
    var gracePeriod: Double?

    @Flag(name: .long, help: "Do not record this run in the history.")
    var noHistory = false

    @OptionGroup var notify: NotifyOptions

    var flags: RunFlags {
        RunFlags(maxConcurrent: maxConcurrent, executor: executor?.kind, onFailure: onFailure.policy,
                 gracePeriodSeconds: gracePeriod)
    }
}

/// `--output`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case plain, json
}

/// `--execution-type`.
enum ExecutionType: String, ExpressibleByArgument, CaseIterable {
    case manual, scheduled
}

/// `--executor`.
struct ExecutorKindArgument: ExpressibleByArgument {
    var kind: ExecutorKind
    init?(argument: String) {
        guard let kind = ExecutorKind(rawValue: argument.lowercased()) else { return nil }
        self.kind = kind
    }
    static var allValueStrings: [String] { ExecutorKind.allCases.map(\.rawValue) }
}

/// `--on-failure`.
struct FailurePolicyArgument: ExpressibleByArgument {
    var policy: FailurePolicy
    init(policy: FailurePolicy) { self.policy = policy }
    init?(argument: String) {
        guard let policy = FailurePolicy(rawValue: argument.lowercased()) else { return nil }
        self.policy = policy
    }
    static let wait = FailurePolicyArgument(policy: .wait)
    var defaultValueDescription: String { policy.rawValue }
    static var allValueStrings: [String] { FailurePolicy.allCases.map(\.rawValue) }
}
