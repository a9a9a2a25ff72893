import MetaJobCore

/// Something drawn over the layout that takes the keys until it closes.
public enum Overlay: Sendable, Equatable {
    /// All keys (`?`).
    case help
    /// "Cancel job X?" (`c`).
    case confirmCancel(job: Int)
    /// What a retry (`r`, `R`, `d`) will run again, reuse and leave, and the time it adds: `Enter` sends
    /// `command`, `Esc` cancels.
    case confirmRetry(RunCommand, RetryPreview)
    /// "Quit while N jobs run?" — stop them, leave them, or stay (`q`).
    case confirmQuit
    /// A text prompt (`/`) for a search or a filter.
    case prompt(PromptTarget, text: String)
}
