/// A command another process sent to a live run, as the history keeps it: when, from what, by whom, and whether
/// the run refused it.
public struct StoredRequest: Sendable, Equatable {
    /// Seconds since 1970.
    public var time: Double
    /// What the sender said it is: `dashboard` (an attached dashboard) or `cli`.
    public var client: String
    /// The user the kernel says sent it.
    public var user: String
    /// The command worded for people (`retry flaky`, `pause`, …).
    public var command: String
    /// The run's reason when it refused; nil when it accepted.
    public var refused: String?

    /// A request; every field as named.
    public init(time: Double, client: String, user: String, command: String, refused: String?) {
        self.time = time
        self.client = client
        self.user = user
        self.command = command
        self.refused = refused
    }
}
