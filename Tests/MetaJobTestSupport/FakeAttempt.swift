import MetaJobCore

/// What one start of a job does under a `FakeExecutor` — the script a test writes instead of a process.
public enum FakeAttempt: Sendable, Equatable {
    /// Starts, writes `output` to stdout, ends with `outcome`.
    case finish(AttemptOutcome, output: [String] = [])
    /// Starts and runs until the test finishes it or it is terminated (it dies of the SIGTERM at once).
    case hang
    /// Starts and ignores SIGTERM: a termination ends it only when the grace period passes on the clock (SIGKILL).
    case ignoreTerm
    /// The start is refused for a passing reason (the delay queue).
    case refuse(DelayReason)

    /// Starts and exits 0.
    public static let succeed = FakeAttempt.finish(.exited(code: 0))

    /// Starts and exits with `code`.
    public static func exit(_ code: Int32) -> FakeAttempt { .finish(.exited(code: code)) }
}
