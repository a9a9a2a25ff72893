/// One thing wrong with a definition: VDK's error types plus `syntax` for files that do not parse.
public struct ValidationIssue: Error, Sendable, Equatable {
    /// The error type. The first four are VDK's; `syntax` is a file that is not valid YAML/JSON.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case type, permission, requirement, conflict, syntax
    }

    public var kind: Kind
    /// The jobs it concerns (empty for file-level problems).
    public var jobs: [String]
    /// What is wrong.
    public var reason: String
    /// What to do about it.
    public var countermeasure: String
    /// 1-based line in the file: where the offending job starts, or where the parser stopped.
    public var line: Int?
    /// 1-based column, for syntax errors.
    public var column: Int?

    public init(kind: Kind, jobs: [String] = [], reason: String, countermeasure: String,
                line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.jobs = jobs
        self.reason = reason
        self.countermeasure = countermeasure
        self.line = line
        self.column = column
    }
}
