/// Everything wrong with a definition file: every issue found, in file order.
public struct ValidationReport: Error, Sendable, Equatable {
    /// The issues, sorted by line (file-level ones without a line first).
    public var issues: [ValidationIssue]

    /// Wraps `issues`.
    public init(issues: [ValidationIssue]) {
        self.issues = issues
    }
}
