/// How one notification of a run went, as the history keeps it.
public struct NotificationRecord: Sendable, Equatable {
    /// `on_failure`, `on_success`, `always` or `webhook`.
    public var hook: String
    /// The command, or the webhook's scheme and host.
    public var target: String
    public var ok: Bool
    /// What happened (`exited 0`, `timed out after 2s; stopped`, `HTTP 500`).
    public var detail: String
    /// Seconds since 1970.
    public var time: Double

    public init(hook: String, target: String, ok: Bool, detail: String, time: Double) {
        self.hook = hook
        self.target = target
        self.ok = ok
        self.detail = detail
        self.time = time
    }
}
