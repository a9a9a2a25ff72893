import CYaml
import Yams

/// Reads YAML by driving libyaml's event parser (vendored by Yams as `CYaml`) and building `DefinitionNode`s
/// directly, with their marks.
///
/// Why not `Yams.compose`: its `Node` tree (classes, a hash of every mapping's keys, Foundation string
/// decoding) cost about 0.7 s for a 100,000-job file before our conversion even started; events go straight
/// into the shape the validator reads. Yams still resolves the rare plain scalars that may not be strings.
///
/// Safety: libyaml stops at 1000 nesting levels; we stop at `maxDepth` levels and at `nodeBudget` nodes,
/// counting each alias as the size of what it stands for, because aliases make the document a DAG that
/// expands exponentially when read as a tree (the "billion laughs" document).
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
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    /// The current event; deleted (its strings freed) before the next one is parsed into it.
    private let event: UnsafeMutablePointer<yaml_event_t>
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Each anchor's node and its expanded size; a later anchor of the same name shadows the earlier one.
    private var anchors: [String: (node: DefinitionNode, size: Int)] = [:]

    private init(budget: Int, parser: UnsafeMutablePointer<yaml_parser_t>, event: UnsafeMutablePointer<yaml_event_t>,
                 bytes: UnsafeBufferPointer<UInt8>) {
        self.remaining = budget
        self.budget = budget
        self.parser = parser
        self.event = event
        self.bytes = bytes
    }

    /// Parses `text` (valid UTF-8, the same as `bytes`); nil when the document holds nothing (comments only).
    static func read(_ text: String, bytes: UnsafeBufferPointer<UInt8>) throws(DefinitionSyntaxError) -> DefinitionNode? {
        if let line = aliasInComplexKey(bytes) {
            // A key built from aliases (`? *bomb`) would have to be compared with the other keys by its full
            // expansion. Definitions never need such keys, so refuse them before parsing.
            throw DefinitionSyntaxError(
                reason: "the document uses aliases together with complex mapping keys (`? key`, an alias or a "
                    + "collection used as a key); definitions only need plain keys",
                line: line, column: nil)
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        event.initialize(to: yaml_event_t())
        defer {
            yaml_event_delete(event)
            event.deallocate()
            parser.deallocate()
        }
        guard yaml_parser_initialize(parser) == 1 else {
            throw DefinitionSyntaxError(reason: "out of memory starting the YAML parser", line: 1, column: nil)
        }
        defer { yaml_parser_delete(parser) }
        // Encoding is explicit so libyaml does not guess it from the first bytes.
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, base, bytes.count)
        var reader = YAMLDefinitionReader(budget: nodeBudget(byteCount: bytes.count), parser: parser, event: event,
                                          bytes: bytes)
        return try reader.document()
    }

    // MARK: - Events

    /// Parses the next event into `event`.
    private func next() throws(DefinitionSyntaxError) {
        yaml_event_delete(event)
        guard yaml_parser_parse(parser, event) == 1 else { throw parserError() }
    }

    private var eventType: yaml_event_type_t { event.pointee.type }
    private var line: Int { Int(event.pointee.start_mark.line) + 1 }
    private var column: Int { Int(event.pointee.start_mark.column) + 1 }

    /// The single document of the stream, nil for an empty stream.
    private mutating func document() throws(DefinitionSyntaxError) -> DefinitionNode? {
        try next()  // stream start
        try next()
        if eventType == YAML_STREAM_END_EVENT { return nil }
        try next()  // past the document start: the root's first event
        let (root, _) = try node(depth: 1)
        try next()  // document end
        try next()
        guard eventType == YAML_STREAM_END_EVENT else {
            throw DefinitionSyntaxError(
                reason: "expected a single document in the stream (line 1): but found another document",
                line: line, column: column)
        }
        return root
    }

    /// The node starting at the current event, and how many nodes it expands to (aliases included).
    /// Leaves the node's last event current.
    private mutating func node(depth: Int) throws(DefinitionSyntaxError) -> (DefinitionNode, Int) {
        let line = self.line, column = self.column
        switch eventType {
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.pointee.data.alias.anchor) ?? ""
            guard let (node, size) = anchors[name] else {
                throw DefinitionSyntaxError(reason: "found undefined alias", line: line, column: column)
            }
            try spend(size, line: line, column: column)
            return (node, size)
        case YAML_SCALAR_EVENT:
            try spend(1, line: line, column: column)
            let scalar = event.pointee.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            // As Yams composes: a quoted scalar without a tag is a string, a plain one is resolved.
            let tag = scalar.quoted_implicit == 1 ? Tag.Name.str.rawValue : (Self.string(scalar.tag) ?? "")
            let node = DefinitionNode(Self.content(text: text, tag: tag), text: text, line: line, column: column)
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = (node, 1) }
            return (node, 1)
        case YAML_SEQUENCE_START_EVENT:
            try spend(1, line: line, column: column)
            if depth > Self.maxDepth { throw Self.tooDeep(line: line, column: column) }
            let anchor = Self.string(event.pointee.data.sequence_start.anchor)
            var items: [DefinitionNode] = []
            var size = 1
            try next()
            while eventType != YAML_SEQUENCE_END_EVENT {
                let (item, itemSize) = try node(depth: depth + 1)
                items.append(item)
                size += itemSize
                try next()
            }
            let node = DefinitionNode(.sequence(items), line: line, column: column)
            if let anchor { anchors[anchor] = (node, size) }
            return (node, size)
        case YAML_MAPPING_START_EVENT:
            try spend(1, line: line, column: column)
            if depth > Self.maxDepth { throw Self.tooDeep(line: line, column: column) }
            let anchor = Self.string(event.pointee.data.mapping_start.anchor)
            var entries: [DefinitionNode.Entry] = []
            var size = 1
            try next()
            while eventType != YAML_MAPPING_END_EVENT {
                let (key, keySize) = try node(depth: depth + 1)
                try next()
                let (value, valueSize) = try node(depth: depth + 1)
                entries.append(DefinitionNode.Entry(key: key, value: value))
                size += keySize + valueSize
                try next()
            }
            try Self.checkDuplicates(entries)
            let node = DefinitionNode(.mapping(entries), line: line, column: column)
            if let anchor { anchors[anchor] = (node, size) }
            return (node, size)
        default:
            throw DefinitionSyntaxError(reason: "unexpected YAML event \(eventType.rawValue)", line: line, column: column)
        }
    }

    /// Counts `nodes` against the budget.
    private mutating func spend(_ nodes: Int, line: Int, column: Int) throws(DefinitionSyntaxError) {
        remaining -= nodes
        if remaining < 0 {
            throw DefinitionSyntaxError(
                reason: "the document expands to more than \(budget) nodes through aliases "
                    + "(an alias bomb such as \"billion laughs\"?)",
                line: line, column: column)
        }
    }

    /// A mapping's scalar keys must be unique, as Yams checks them: same text and same resolved type. Reported
    /// like Yams did: the duplicated keys sorted, at the first occurrence of the smallest.
    private static func checkDuplicates(_ entries: [DefinitionNode.Entry]) throws(DefinitionSyntaxError) {
        guard entries.count > 1 else { return }
        var duplicates: [String: DefinitionNode] = [:]
        if entries.count <= 16 {
            // A job's few keys: comparing pairs is cheaper than hashing them.
            for i in 1..<entries.count {
                let key = entries[i].key
                guard key.isScalar else { continue }
                if let first = entries[..<i].first(where: { $0.key.isScalar && $0.key.sameScalar(as: key) }) {
                    if duplicates[key.text] == nil { duplicates[key.text] = first.key }
                }
            }
        } else {
            var seen: [String: [DefinitionNode]] = [:]
            for entry in entries where entry.key.isScalar {
                let key = entry.key
                if let earlier = seen[key.text]?.first(where: { $0.sameScalar(as: key) }) {
                    if duplicates[key.text] == nil { duplicates[key.text] = earlier }
                } else {
                    seen[key.text, default: []].append(key)
                }
            }
        }
        guard !duplicates.isEmpty else { return }
        let keys = duplicates.keys.sorted()
        let first = duplicates[keys[0]]!
        throw DefinitionSyntaxError(reason: "duplicated keys in a mapping", line: first.lineNumber,
                                    column: Int(first.column), duplicateKeys: keys)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private static func tooDeep(line: Int, column: Int) -> DefinitionSyntaxError {
        DefinitionSyntaxError(reason: "nesting is deeper than \(maxDepth) levels", line: line, column: column)
    }

    /// The scalar's type from its YAML 1.1 tag: explicit tags win, quoted scalars are strings, and plain
    /// scalars (empty tag) go through Yams' default resolver.
    private static func content(text: String, tag: String) -> DefinitionNode.Content {
        let name: Tag.Name
        let scalar: Node.Scalar
        if tag.isEmpty {  // implicit: a plain scalar
            // Fast path: Yams resolves with regular expressions, which is slow at 100k jobs. Only plain scalars
            // starting with a digit, sign, '.', '~', '<', '=' or one of the letters of yes/no/true/false/on/off/
            // null can resolve to something other than a string, so everything else skips the regexes.
            guard let first = text.utf8.first else { return .null }
            guard Self.mayResolve(first: first, length: text.utf8.count) else { return .string }
            scalar = Node.Scalar(text)
            name = Resolver.default.resolveTag(of: .scalar(scalar))
        } else {
            name = Tag.Name(rawValue: tag)
            scalar = Node.Scalar(text, Tag(name))
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

    /// libyaml's error, at its position, worded as Yams words it.
    private func parserError() -> DefinitionSyntaxError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown YAML error"
        switch p.error {
        case YAML_READER_ERROR:
            let (line, column) = Self.position(ofByte: p.problem_offset, in: bytes)
            return DefinitionSyntaxError(reason: problem, line: line, column: column)
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            var reason = problem
            if let context = p.context {
                reason = "\(String(cString: context)) (line \(p.context_mark.line + 1)): \(problem)"
            }
            return DefinitionSyntaxError(reason: reason, line: Int(p.problem_mark.line) + 1,
                                         column: Int(p.problem_mark.column) + 1)
        case YAML_MEMORY_ERROR:
            return DefinitionSyntaxError(reason: "out of memory parsing the YAML document", line: 1, column: nil)
        default:
            return DefinitionSyntaxError(reason: problem, line: 1, column: nil)
        }
    }

    /// Line and column (in characters) of byte `offset` (only used on the error path).
    private static func position(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        var line = 1, column = 1
        for b in bytes[..<min(offset, bytes.count)] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}

private extension DefinitionNode {
    /// Whether the node is a scalar (a key that can be compared by its text).
    var isScalar: Bool {
        switch content {
        case .sequence, .mapping: return false
        default: return true
        }
    }

    /// Same text and same resolved type: what makes two scalar keys the same key.
    func sameScalar(as other: DefinitionNode) -> Bool {
        guard text == other.text else { return false }
        switch (content, other.content) {
        case (.null, .null), (.bool, .bool), (.integer, .integer), (.float, .float), (.string, .string): return true
        default: return false
        }
    }
}
