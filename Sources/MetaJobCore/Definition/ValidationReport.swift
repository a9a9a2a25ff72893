/// Every issue found in a definition.
public struct ValidationReport: Error, Sendable, Equatable {
    public var issues: [ValidationIssue]

    public init(issues: [ValidationIssue]) {
        self.issues = issues
    }
}
