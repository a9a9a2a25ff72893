/// Reads a definition file's bytes into a validated `MetaJobDefinition`.
///
/// Pure: the caller reads the file; this only looks at bytes, so the CLI, tests and a future service all
/// share one parser and one set of messages.
public enum DefinitionLoader {
    /// The default meta job name when there is no path.
    static let defaultName = "meta-job"

    /// Parses and validates a definition file's bytes. `path` (may be nil) gives the default meta job name
    /// (file name without extension; "meta-job" when nil) and `directory` (its parent path, "." when none).
    public static func load(bytes: [UInt8], path: String?) -> Result<MetaJobDefinition, ValidationReport> {
        load(bytes: bytes, source: DefinitionSource(path: path))
    }

    /// Parses and validates a definition's bytes read from `source` (a YAML, JSON or Python DAG step file).
    public static func load(bytes: [UInt8], source: DefinitionSource) -> Result<MetaJobDefinition, ValidationReport> {
        let path = source.path
        var (name, directory) = names(from: path)
        if let given = source.defaultName { name = given }
        if let given = source.directory { directory = given }
        let root: DefinitionNode
        switch parse(bytes: bytes, source: source) {
        case .success(let node?): root = node
        case .success(nil): return .failure(ValidationReport(issues: [emptyIssue()]))
        case .failure(let issue): return .failure(ValidationReport(issues: [issue]))
        }
        if case .null = root.content { return .failure(ValidationReport(issues: [emptyIssue()])) }
        var validator = DefinitionValidator(defaultName: name, directory: directory, defaultTeam: source.defaultTeam)
        if let definition = validator.validate(root) { return .success(definition) }
        return .failure(ValidationReport(issues: validator.issues))
    }

    /// The tree, nil for an empty document, or the one issue that stopped parsing.
    static func parse(bytes: [UInt8], path: String?) -> Result<DefinitionNode?, ValidationIssue> {
        parse(bytes: bytes, source: DefinitionSource(path: path))
    }

    /// The tree, nil for an empty document, or the one issue that stopped parsing.
    static func parse(bytes: [UInt8], source: DefinitionSource) -> Result<DefinitionNode?, ValidationIssue> {
        let path = source.path
        return bytes.withUnsafeBufferPointer { buffer -> Result<DefinitionNode?, ValidationIssue> in
            var body = buffer
            // A UTF-8 byte order mark is legal at the start and means nothing.
            if body.count >= 3, body[0] == 0xEF, body[1] == 0xBB, body[2] == 0xBF {
                body = UnsafeBufferPointer(rebasing: body[3...])
            }
            if let bad = firstInvalidUTF8(body) {
                let line = 1 + body[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                return .failure(ValidationIssue(
                    kind: .syntax, reason: "The definition is not valid UTF-8 text: invalid byte 0x"
                        + String(body[bad], radix: 16, uppercase: true) + " at line \(line).",
                    countermeasure: "Save the definition as UTF-8 text (is it a binary file, or in another encoding?).",
                    line: line, column: nil))
            }
            guard let first = body.first(where: { !isWhitespace($0) }) else { return .success(nil) }

            if path.map({ $0.lowercased().hasSuffix(".py") }) ?? false {
                return PythonDefinition.parse(body, source: source)
            }

            let isJSONFile = path.map { $0.lowercased().hasSuffix(".json") } ?? false
            let looksLikeJSON = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
            if isJSONFile || looksLikeJSON {
                do throws(DefinitionSyntaxError) {
                    return .success(try JSONDefinitionReader.read(body))
                } catch {
                    if isJSONFile { return .failure(syntaxIssue(error, format: "JSON")) }
                }
            }
            // YAML is the authoritative reader for everything not named .json (JSON-looking YAML such as
            // `[a, b,]` or JSON with comments is still valid YAML), so its error is the one reported.
            let text = String(decoding: body, as: UTF8.self)
            do throws(DefinitionSyntaxError) {
                return .success(try YAMLDefinitionReader.read(text, bytes: body))
            } catch {
                if !error.duplicateKeys.isEmpty {
                    let keys = error.duplicateKeys.joined(separator: ", ")
                    return .failure(ValidationIssue(
                        kind: .conflict, reason: "The key \(keys) appears more than once in the same mapping.",
                        countermeasure: "Keep only one \(keys) key in that mapping; later occurrences would "
                            + "silently override earlier ones in other tools.",
                        line: error.line, column: error.column))
                }
                return .failure(syntaxIssue(error, format: "YAML"))
            }
        }
    }

    /// The default meta job name and directory for `path`.
    static func names(from path: String?) -> (name: String, directory: String) {
        guard let path, !path.isEmpty else { return (defaultName, ".") }
        let file: Substring
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            file = path[path.index(after: slash)...]
            let parent = path[..<slash]
            directory = parent.isEmpty ? "/" : String(parent)
        } else {
            file = path[...]
            directory = "."
        }
        var name = file
        // "nightly.yaml" → "nightly"; a leading dot (".hidden") is not an extension.
        if let dot = file.lastIndex(of: "."), dot != file.startIndex { name = file[..<dot] }
        return (name.isEmpty ? defaultName : String(name), directory)
    }

    static func emptyIssue() -> ValidationIssue {
        ValidationIssue(
            kind: .type, reason: "The definition is empty.",
            countermeasure: "Add at least one job, for example:\njobs:\n  - job_name: hello\n    depends_on: []\n"
                + "    command: echo hello",
            line: 1)
    }

    static func syntaxIssue(_ error: DefinitionSyntaxError, format: String) -> ValidationIssue {
        let at = error.column.map { "line \(error.line), column \($0)" } ?? "line \(error.line)"
        return ValidationIssue(
            kind: .syntax, reason: "The definition is not valid \(format): \(error.reason) (\(at)).",
            countermeasure: "Fix the \(format) syntax at \(at).",
            line: error.line, column: error.column)
    }

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    /// Index of the first byte that is not part of a well-formed UTF-8 sequence (overlongs, surrogates and
    /// values past U+10FFFF included), or nil. ASCII runs take the fast path.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            let second = bytes[i + 1]
            guard second >= lower, second <= upper else { return i }
            for k in 2..<max(length, 2) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
