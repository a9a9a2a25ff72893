/// Why a reader could not turn the bytes into a `DefinitionNode` tree, and where.
struct DefinitionSyntaxError: Error, Sendable, Equatable {
    /// What went wrong, as a sentence fragment ("expected ':' after an object key, found '}'").
    var reason: String
    /// 1-based line of the problem.
    var line: Int
    /// 1-based column of the problem (in characters), when known.
    var column: Int?
    /// Keys the YAML parser found twice in one mapping (Yams refuses such documents); when non-empty this is
    /// a `conflict`, not a syntax error.
    var duplicateKeys: [String] = []
}
