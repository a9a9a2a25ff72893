import Yams

/// Reads YAML through Yams and converts its `Node` tree into a `DefinitionNode` tree.
///
/// Safety: libyaml (inside Yams) stops at 1000 nesting levels, which bounds Yams' own recursion; our
/// conversion stops at `maxDepth` levels and at `nodeBudget` nodes, because aliases make Yams' tree a DAG
/// that expands exponentially when walked (the "billion laughs" document).
struct YAMLDefinitionReader {
    /// The deepest nesting converted; real definitions need about 6.
    static let maxDepth = 256

    /// The most nodes a document of `byteCount` bytes may expand to.
    ///
    /// Without aliases every node costs at least two source bytes (`a,`), so a plain document stays under
    /// `byteCount` nodes; the allowance on top leaves room for honest anchor reuse (`<<: *defaults`) while a
    /// billion-laughs document is stopped after work and memory linear in its size.
    static func nodeBudget(byteCount: Int) -> Int { 1_000_000 + byteCount }

    private var remaining: Int
    private let budget: Int

    private init(budget: Int) {
        self.remaining = budget
        self.budget = budget
    }

    /// Parses `text` (valid UTF-8, the same as `bytes`); nil when the document holds nothing (comments only).
    static func read(_ text: String, bytes: UnsafeBufferPointer<UInt8>) throws(DefinitionSyntaxError) -> DefinitionNode? {
        if let line = aliasInComplexKey(bytes) {
            // Yams hashes every mapping key to find duplicates; a key built from aliases (`? *bomb`) is hashed
            // by walking its full expansion, which never finishes for a billion-laughs key. Definitions never
            // need such keys, so refuse them before Yams sees them.
            throw DefinitionSyntaxError(
                reason: "the document uses aliases together with complex mapping keys (`? key`, an alias or a "
                    + "collection used as a key); definitions only need plain keys",
                line: line, column: nil)
        }
        let root: Node?
        do {
            // The basic resolver (no regexes) keeps Yams' duplicate-key check cheap; we resolve tags ourselves.
            // Encoding is explicit so Yams does not consult the environment.
            root = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            throw Self.syntaxError(from: error, in: text)
        } catch {
            throw DefinitionSyntaxError(reason: "\(error)", line: 1, column: nil)
        }
        guard let root else { return nil }
        var reader = YAMLDefinitionReader(budget: nodeBudget(byteCount: bytes.count))
        return try reader.convert(root, depth: 1)
    }

    // MARK: - Conversion

    private mutating func convert(_ node: Node, depth: Int) throws(DefinitionSyntaxError) -> DefinitionNode {
        let mark = node.mark
        let line = mark?.line ?? 0, column = mark?.column ?? 0
        remaining -= 1
        if remaining < 0 {
            throw DefinitionSyntaxError(
                reason: "the document expands to more than \(budget) nodes through aliases "
                    + "(an alias bomb such as \"billion laughs\"?)",
                line: line, column: column)
        }
        switch node {
        case .scalar(let scalar):
            return DefinitionNode(Self.content(of: scalar), text: scalar.string, line: line, column: column)
        case .sequence(let sequence):
            if depth > Self.maxDepth { throw Self.tooDeep(line: line, column: column) }
            var items: [DefinitionNode] = []
            items.reserveCapacity(sequence.count)
            for child in sequence { items.append(try convert(child, depth: depth + 1)) }
            return DefinitionNode(.sequence(items), line: line, column: column)
        case .mapping(let mapping):
            if depth > Self.maxDepth { throw Self.tooDeep(line: line, column: column) }
            var entries: [DefinitionNode.Entry] = []
            entries.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                let k = try convert(key, depth: depth + 1)
                let v = try convert(value, depth: depth + 1)
                entries.append(DefinitionNode.Entry(key: k, value: v))
            }
            return DefinitionNode(.mapping(entries), line: line, column: column)
        case .alias(let alias):
            // compose() resolves aliases itself; an unresolved one is an undefined anchor.
            throw DefinitionSyntaxError(reason: "undefined alias *\(alias.anchor.rawValue)", line: line, column: column)
        }
    }

    private static func tooDeep(line: Int, column: Int) -> DefinitionSyntaxError {
        DefinitionSyntaxError(reason: "nesting is deeper than \(maxDepth) levels", line: line, column: column)
    }

    /// The scalar's type from its YAML 1.1 tag: explicit tags win, quoted scalars are strings, and plain
    /// scalars go through Yams' default resolver.
    private static func content(of scalar: Node.Scalar) -> DefinitionNode.Content {
        let tag = scalar.tag.description
        let name: Tag.Name
        if tag.isEmpty {  // implicit: a plain scalar
            // Fast path: Yams resolves with regular expressions, which is slow at 100k jobs. Only plain scalars
            // starting with a digit, sign, '.', '~', '<', '=' or one of the letters of yes/no/true/false/on/off/
            // null can resolve to something other than a string, so everything else skips the regexes.
            guard let first = scalar.string.utf8.first else { return .null }
            if Self.mayResolve(first: first, length: scalar.string.utf8.count) {
                name = Resolver.default.resolveTag(of: .scalar(scalar))
            } else {
                return .string
            }
        } else {
            name = Tag.Name(rawValue: tag)
        }
        switch name {
        case .null: return .null
        case .bool:
            if let b = Bool.construct(from: scalar) { return .bool(b) }
            return .string
        case .int:
            // nil here means the literal does not fit in 64 bits; the validator reports it as out of range.
            return .integer(Int64.construct(from: scalar))
        case .float:
            if let d = Double.construct(from: scalar) { return .float(d) }
            return .string
        default:
            // str, timestamp, binary, merge, custom tags: keep the text.
            return .string
        }
    }

    /// Whether a plain scalar with this first byte could resolve to a non-string tag.
    private static func mayResolve(first: UInt8, length: Int) -> Bool {
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="):
            return true
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
             UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            return length <= 5  // the longest of those words is "false"
        default:
            return false
        }
    }

    // MARK: - Pre-check

    /// The line of the first complex key when the document also contains an alias, else nil.
    ///
    /// A raw-byte approximation of YAML's tokens, deliberately generous: it may flag an odd plain scalar
    /// (`echo *x: y`) in a file that also has a `*`, but it never misses a real alias or complex key.
    static func aliasInComplexKey(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        func atTokenStart(_ i: Int) -> Bool {
            guard i > 0 else { return true }
            let p = bytes[i - 1]
            return isSpace(p) || p == UInt8(ascii: "[") || p == UInt8(ascii: "{") || p == UInt8(ascii: ",")
        }
        /// Whether `:` follows position `i` (after blanks) as a mapping indicator.
        func colonFollows(_ i: Int) -> Bool {
            var j = i
            while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
            guard j < bytes.count, bytes[j] == UInt8(ascii: ":") else { return false }
            return j + 1 == bytes.count || isSpace(bytes[j + 1]) || bytes[j + 1] == UInt8(ascii: ",")
                || bytes[j + 1] == UInt8(ascii: "}") || bytes[j + 1] == UInt8(ascii: "]")
        }
        var sawAlias = false
        var complexKeyLine: Int?
        var line = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x0A:
                line += 1
            case UInt8(ascii: "*") where atTokenStart(i):
                sawAlias = true
                var j = i + 1
                while j < bytes.count, !isSpace(bytes[j]), bytes[j] != UInt8(ascii: ","), bytes[j] != UInt8(ascii: "]"),
                      bytes[j] != UInt8(ascii: "}") { j += 1 }
                // `*name:` is not an alias followed by ':' (':' may be part of an anchor name), but `*name :` is.
                if complexKeyLine == nil, colonFollows(j) { complexKeyLine = line }
            case UInt8(ascii: "?") where atTokenStart(i) && (i + 1 == bytes.count || isSpace(bytes[i + 1])):
                if complexKeyLine == nil { complexKeyLine = line }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if complexKeyLine == nil, colonFollows(i + 1) { complexKeyLine = line }
            default:
                break
            }
            if sawAlias, let complexKeyLine { return complexKeyLine }
            i += 1
        }
        return nil
    }

    // MARK: - Errors

    private static func syntaxError(from error: YamlError, in text: String) -> DefinitionSyntaxError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var reason = problem
            if let context { reason = "\(context.text) (line \(context.mark.line)): \(problem)" }
            return DefinitionSyntaxError(reason: reason, line: mark.line, column: mark.column)
        case let .reader(problem, offset, _, _):
            let (line, column) = position(ofCharacter: offset ?? 0, in: text)
            return DefinitionSyntaxError(reason: problem, line: line, column: column)
        case let .duplicatedKeysInMapping(duplicates, context):
            return DefinitionSyntaxError(reason: "duplicated keys in a mapping", line: context.mark.line,
                                         column: context.mark.column, duplicateKeys: duplicates)
        default:
            return DefinitionSyntaxError(reason: "\(error)", line: 1, column: nil)
        }
    }

    /// Line and column of the `offset`-th character (only used on the error path).
    private static func position(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1
        for (i, c) in text.enumerated() {
            if i >= offset { break }
            if c == "\n" || c == "\r\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
