/// A parsed YAML or JSON value with its position, before validation.
///
/// Both readers produce this one shape so the validator does not care which syntax the file used.
/// Mappings keep their entries in file order, duplicates included, so duplicate keys can be reported.
struct DefinitionNode: Sendable {
    /// What the node holds. Scalars keep their source text in `text` too (env accepts numbers "as written").
    enum Content: Sendable {
        case null
        case bool(Bool)
        /// An integer; nil when it does not fit in 64 bits (reported as out of range, never trapped on).
        case integer(Int64?)
        case float(Double)
        case string
        case sequence([DefinitionNode])
        case mapping([Entry])
    }

    /// One key/value pair of a mapping.
    struct Entry: Sendable {
        var key: DefinitionNode
        var value: DefinitionNode
    }

    var content: Content
    /// The scalar's text (the decoded string for strings); empty for sequences and mappings.
    var text: String
    /// 1-based line of the node's first character (`{`/`[` for JSON containers, the first key for block mappings).
    var line: Int32
    /// 1-based column of the node's first character.
    var column: Int32

    init(_ content: Content, text: String = "", line: Int, column: Int) {
        self.content = content
        self.text = text
        // Lines past Int32 would need a file over 2 GB of newlines; clamp rather than trap.
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
    }

    /// The type's name in YAML/JSON terms, for messages.
    var typeName: String {
        switch content {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .float: return "number"
        case .string: return "string"
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }

    /// The string value, when the node is a string.
    var string: String? {
        if case .string = content { return text }
        return nil
    }

    /// The 1-based line as an Int.
    var lineNumber: Int { Int(line) }
}
