import MetaJobCore

/// What a headless session runs: a definition, where it came from, and what it reuses from an earlier run.
struct RunSource {
    var definition: MetaJobDefinition
    /// The definition file's bytes, kept in the history so `resume` works after the file changed.
    var definitionText: [UInt8]
    /// The definition file's path as given (nil for the built-in demo).
    var definitionPath: String?
    /// The run this one resumes, if any.
    var resumedFrom: String?
    /// Resume `resumedFrom` although it was resumed before (`metajob resume --force`).
    var resumeAnyway = false
    /// Jobs that count as succeeded without running, by name → the run they succeeded in.
    var reused: [String: String] = [:]
    /// Remote executions still running when the resumed run was interrupted, by job name → execution id:
    /// re-attached instead of started again.
    var adoptExecutions: [String: String] = [:]
}
