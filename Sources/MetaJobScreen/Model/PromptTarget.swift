/// What a `/` prompt's text is for.
public enum PromptTarget: Sendable, Equatable {
    /// Search the selected job's log.
    case logSearch
    /// Filter the job list by name.
    case jobFilter
    /// Filter the history browser by meta job name or state.
    case runFilter
}
