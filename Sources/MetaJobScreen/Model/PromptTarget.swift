/// What a `/` prompt's text is for.
public enum PromptTarget: Sendable, Equatable {
    /// Search the selected job's log.
    case logSearch
    /// Filter the job list by name.
    case jobFilter
    /// Filter the history browser by meta job name or state.
    case runFilter
    /// The file to save an attempt's log to (`s`).
    case saveLog(job: Int, attempt: Int)

    /// A filter narrows as it is typed; a search or a save happens on Enter.
    var isFilter: Bool { self == .jobFilter || self == .runFilter }
}
