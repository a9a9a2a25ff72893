/// How one notification went: which hook, where it went, whether it worked and what happened (sanitized:
/// a hook's output is untrusted and may be shown on a terminal).
struct HookResult: Equatable {
    /// `on_failure`, `on_success`, `always` or `webhook`.
    var hook: String
    /// The command, or the webhook's scheme, host and port (its path may hold a secret token).
    var target: String
    var ok: Bool
    /// `exited 0`, `exited with code 3: …`, `timed out after 2 s`, `HTTP 500`, `cannot connect: …`.
    var detail: String
}
