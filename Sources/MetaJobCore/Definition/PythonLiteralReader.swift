/// Reads one Python literal (VDK's `JOBS_RUN_ORDER` list) into a `DefinitionNode` tree with lines and columns.
///
/// Python's literal grammar, as `ast.literal_eval` takes it for job lists: lists, tuples, dicts, strings
/// (single, double, triple quotes; `r`/`u` prefixes; adjacent ones joined; every escape Python knows),
/// integers of any size (`_` separators, `0x`/`0o`/`0b`), floats, `True`/`False`/`None`, a leading minus,
/// comments, trailing commas and line continuations; plus `float('inf')`, `float('nan')` and `math.inf`,
/// which VDK users write for infinities. Anything else — a name, a call, a comprehension, an operator, an
/// f-string — is code: `PythonLiteralReader.NotALiteral` says where, and the caller lets Python evaluate it.
struct PythonLiteralReader {
    /// The deepest container nesting accepted, as for JSON and YAML.
    static let maxDepth = 256

    /// The text at `line`/`column` is not a literal (it is code Python must evaluate).
    struct NotALiteral: Error, Sendable, Equatable {
        var line: Int
        var column: Int
    }

    /// Either kind of failure: a literal with a syntax error, or code.
    enum Failure: Error, Sendable, Equatable {
        case syntax(DefinitionSyntaxError)
        case code(NotALiteral)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var pos: Int
    private(set) var line: Int
    private var lineStart: Int

    init(bytes: UnsafeBufferPointer<UInt8>, at pos: Int = 0, line: Int = 1, lineStart: Int = 0) {
        self.bytes = bytes
        self.pos = pos
        self.line = line
        self.lineStart = lineStart
    }

    /// Reads the literal that fills all of `bytes` (comments and blank space around it allowed).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> DefinitionNode {
        var reader = PythonLiteralReader(bytes: bytes)
        reader.skipTrivia(newlines: true)
        if reader.pos == bytes.count { throw .syntax(reader.error("the document is empty")) }
        let node = try reader.readValue(depth: 0)
        reader.skipTrivia(newlines: true)
        if reader.pos < bytes.count { throw .code(reader.here()) }
        return node
    }

    /// Reads one value at the current position (the caller checks what follows).
    mutating func readValue(depth: Int) throws(Failure) -> DefinitionNode {
        guard depth <= Self.maxDepth else {
            throw .syntax(error("the literal is nested more than \(Self.maxDepth) levels deep"))
        }
        skipTrivia(newlines: depth > 0)
        guard pos < bytes.count else { throw .syntax(error("unexpected end of file, expected a value")) }
        let line = self.line, column = pos - lineStart + 1
        let b = bytes[pos]
        switch b {
        case UInt8(ascii: "["):
            pos += 1
            let items = try readItems(closing: UInt8(ascii: "]"), depth: depth)
            return DefinitionNode(.sequence(items), line: line, column: column)
        case UInt8(ascii: "("):
            pos += 1
            // `(x)` is x in parentheses; `(x,)` and `()` are tuples, which json.dumps writes as lists.
            skipTrivia(newlines: true)
            if peek(UInt8(ascii: ")")) { pos += 1; return DefinitionNode(.sequence([]), line: line, column: column) }
            let first = try readValue(depth: depth + 1)
            skipTrivia(newlines: true)
            if peek(UInt8(ascii: ")")) { pos += 1; return first }
            guard peek(UInt8(ascii: ",")) else { throw .code(here()) }
            pos += 1
            let rest = try readItems(closing: UInt8(ascii: ")"), depth: depth)
            return DefinitionNode(.sequence([first] + rest), line: line, column: column)
        case UInt8(ascii: "{"):
            pos += 1
            return try readDict(depth: depth, line: line, column: column)
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            pos += 1
            skipTrivia(newlines: depth > 0)
            guard pos < bytes.count, isDigit(bytes[pos]) || bytes[pos] == UInt8(ascii: ".")
                    || startsWord("float") || startsWord("math") else { throw .code(here()) }
            var node = try readValue(depth: depth)
            guard b == UInt8(ascii: "-") else { return node }
            switch node.content {
            case .integer(let i):
                node.content = .integer(i.flatMap { $0 == Int64.min ? nil : -$0 })
                if node.text == "9223372036854775808" { node.content = .integer(Int64.min) }
                node.text = node.text == "0" ? "0" : "-" + node.text
            case .float(let d):
                node.content = .float(-d)
                node.text = node.text.hasPrefix("-") ? String(node.text.dropFirst()) : "-" + node.text
            default:
                throw .code(NotALiteral(line: line, column: column))
            }
            node.line = Int32(clamping: line)
            node.column = Int32(clamping: column)
            return node
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return try readStrings(line: line, column: column)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
            return try readNumber(line: line, column: column)
        default:
            guard isNameStart(b) else { throw .code(here()) }
            let name = readName()
            if pos < bytes.count, isQuote(bytes[pos]) {
                let prefix = name.lowercased()
                guard prefix == "r" || prefix == "u" else { throw .code(NotALiteral(line: line, column: column)) }
                pos = pos - name.utf8.count
                return try readStrings(line: line, column: column)
            }
            switch name {
            case "True": return DefinitionNode(.bool(true), text: "True", line: line, column: column)
            case "False": return DefinitionNode(.bool(false), text: "False", line: line, column: column)
            case "None": return DefinitionNode(.null, text: "None", line: line, column: column)
            case "math":
                // math.inf / math.nan
                let save = (pos, self.line, lineStart)
                if peek(UInt8(ascii: ".")) {
                    pos += 1
                    let attribute = readName()
                    if attribute == "inf" { return DefinitionNode(.float(.infinity), text: "inf", line: line, column: column) }
                    if attribute == "nan" { return DefinitionNode(.float(.nan), text: "nan", line: line, column: column) }
                }
                (pos, self.line, lineStart) = save
                throw .code(NotALiteral(line: line, column: column))
            case "float":
                // float('inf'), float("-Infinity"), float('nan'): what Python users write for IEEE specials.
                skipTrivia(newlines: false)
                guard peek(UInt8(ascii: "(")) else { throw .code(NotALiteral(line: line, column: column)) }
                pos += 1
                skipTrivia(newlines: true)
                guard pos < bytes.count, isQuote(bytes[pos]) else { throw .code(NotALiteral(line: line, column: column)) }
                let argument = try readStrings(line: line, column: column)
                skipTrivia(newlines: true)
                guard peek(UInt8(ascii: ")")) else { throw .code(NotALiteral(line: line, column: column)) }
                pos += 1
                var word = argument.text.lowercased().filter { $0 != " " && $0 != "\t" && $0 != "\n" }
                var sign = 1.0
                if word.hasPrefix("-") { sign = -1; word.removeFirst() } else if word.hasPrefix("+") { word.removeFirst() }
                let value: Double
                switch word {
                case "inf", "infinity": value = sign * .infinity
                case "nan": value = .nan
                default:
                    guard let d = Double(argument.text.trimmingSpaces()) else {
                        throw .code(NotALiteral(line: line, column: column))
                    }
                    value = d
                }
                return DefinitionNode(.float(value), text: "float(\(argument.text))", line: line, column: column)
            default:
                throw .code(NotALiteral(line: line, column: column))
            }
        }
    }

    // MARK: - Containers

    private mutating func readItems(closing: UInt8, depth: Int) throws(Failure) -> [DefinitionNode] {
        var items: [DefinitionNode] = []
        while true {
            skipTrivia(newlines: true)
            guard pos < bytes.count else {
                throw .syntax(error("unexpected end of file, expected '\(Character(Unicode.Scalar(closing)))'"))
            }
            if bytes[pos] == closing { pos += 1; return items }
            items.append(try readValue(depth: depth + 1))
            skipTrivia(newlines: true)
            guard pos < bytes.count else {
                throw .syntax(error("unexpected end of file, expected ',' or '\(Character(Unicode.Scalar(closing)))'"))
            }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == closing { pos += 1; return items }
            // `[a for a in x]`, `[1] + x`, a missing comma: code, or a mistake Python will name.
            throw .code(here())
        }
    }

    private mutating func readDict(depth: Int, line: Int, column: Int) throws(Failure) -> DefinitionNode {
        var entries: [DefinitionNode.Entry] = []
        while true {
            skipTrivia(newlines: true)
            guard pos < bytes.count else { throw .syntax(error("unexpected end of file, expected '}'")) }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
            if bytes[pos] == UInt8(ascii: "*") { throw .code(here()) }  // {**other}
            let key = try readValue(depth: depth + 1)
            skipTrivia(newlines: true)
            guard peek(UInt8(ascii: ":")) else { throw .code(here()) }  // a set, or a comprehension
            pos += 1
            let value = try readValue(depth: depth + 1)
            entries.append(DefinitionNode.Entry(key: key, value: value))
            skipTrivia(newlines: true)
            guard pos < bytes.count else { throw .syntax(error("unexpected end of file, expected ',' or '}'")) }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
            throw .code(here())
        }
        return DefinitionNode(.mapping(entries), line: line, column: column)
    }

    // MARK: - Strings

    /// One string or several adjacent ones (`'a' "b"` is `'ab'`), each with an optional r/u prefix.
    private mutating func readStrings(line: Int, column: Int) throws(Failure) -> DefinitionNode {
        var text = ""
        while true {
            var raw = false
            let start = (pos, self.line, lineStart)
            if pos < bytes.count, isNameStart(bytes[pos]) {
                let prefix = readName().lowercased()
                guard pos < bytes.count, isQuote(bytes[pos]), prefix == "r" || prefix == "u" else {
                    // Not a string after all (the next token is a name): the strings end here.
                    (pos, self.line, lineStart) = start
                    break
                }
                raw = prefix == "r"
            }
            try readString(raw: raw, into: &text)
            let save = (pos, self.line, lineStart)
            skipTrivia(newlines: true)
            guard pos < bytes.count else { (pos, self.line, lineStart) = save; break }
            let b = bytes[pos]
            if isQuote(b) { continue }
            if isNameStart(b) {
                // An r/u-prefixed string follows only if a quote comes right after one or two letters.
                var k = pos
                while k < bytes.count, k - pos < 2, isNameStart(bytes[k]) { k += 1 }
                if k < bytes.count, isQuote(bytes[k]) { continue }
            }
            (pos, self.line, lineStart) = save
            break
        }
        return DefinitionNode(.string, text: text, line: line, column: column)
    }

    private mutating func readString(raw: Bool, into text: inout String) throws(Failure) {
        let quote = bytes[pos]
        let triple = pos + 2 < bytes.count && bytes[pos + 1] == quote && bytes[pos + 2] == quote
        pos += triple ? 3 : 1
        var scalars = String.UnicodeScalarView()
        var run = pos  // start of the pending run of plain bytes
        func flush(_ end: Int, _ scalars: inout String.UnicodeScalarView) {
            if end > run {
                scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<end]), as: UTF8.self).unicodeScalars)
            }
        }
        while true {
            guard pos < bytes.count else { throw .syntax(error("unexpected end of file inside a string")) }
            let b = bytes[pos]
            if b == quote && (!triple || (pos + 2 < bytes.count && bytes[pos + 1] == quote && bytes[pos + 2] == quote)) {
                flush(pos, &scalars)
                pos += triple ? 3 : 1
                break
            }
            if b == 0x0A {
                guard triple else { throw .syntax(error("a line break inside a string that is not triple-quoted")) }
                pos += 1; line += 1; lineStart = pos
                continue
            }
            guard b == UInt8(ascii: "\\") else { pos += 1; continue }
            flush(pos, &scalars)
            guard pos + 1 < bytes.count else { throw .syntax(error("unexpected end of file inside a string")) }
            if raw {
                // A raw string keeps the backslash; it only stops a quote from ending the string.
                scalars.append("\\")
                pos += 1
                if bytes[pos] == 0x0A { line += 1; lineStart = pos + 1 }
                scalars.append(Unicode.Scalar(bytes[pos]))
                pos += 1
                run = pos
                continue
            }
            try readEscape(into: &scalars)
            run = pos
        }
        text.unicodeScalars.append(contentsOf: scalars)
    }

    /// One escape after a backslash at `pos`, as Python reads it; unknown escapes keep their backslash.
    private mutating func readEscape(into scalars: inout String.UnicodeScalarView) throws(Failure) {
        let escapeLine = line, escapeColumn = pos - lineStart + 1
        pos += 1
        let c = bytes[pos]
        pos += 1
        switch c {
        case 0x0A: line += 1; lineStart = pos  // a continued line: nothing
        case UInt8(ascii: "\\"): scalars.append("\\")
        case UInt8(ascii: "'"): scalars.append("'")
        case UInt8(ascii: "\""): scalars.append("\"")
        case UInt8(ascii: "a"): scalars.append("\u{07}")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "v"): scalars.append("\u{0B}")
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value = UInt32(c - UInt8(ascii: "0"))
            var count = 1
            while count < 3, pos < bytes.count, bytes[pos] >= UInt8(ascii: "0"), bytes[pos] <= UInt8(ascii: "7") {
                value = value * 8 + UInt32(bytes[pos] - UInt8(ascii: "0"))
                pos += 1; count += 1
            }
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let width = c == UInt8(ascii: "x") ? 2 : (c == UInt8(ascii: "u") ? 4 : 8)
            var value: UInt32 = 0
            for _ in 0..<width {
                guard pos < bytes.count, let h = hexValue(bytes[pos]) else {
                    throw .syntax(DefinitionSyntaxError(
                        reason: "truncated \\\(Character(Unicode.Scalar(c))) escape (it needs \(width) hex digits)",
                        line: escapeLine, column: escapeColumn))
                }
                value = value &* 16 &+ h
                pos += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw .syntax(DefinitionSyntaxError(reason: "the escape names no Unicode character (U+\(String(value, radix: 16, uppercase: true)))",
                                                    line: escapeLine, column: escapeColumn))
            }
            scalars.append(scalar)
        case UInt8(ascii: "N"):
            // \N{NAME}: the name table is Python's; let Python read it.
            throw .code(NotALiteral(line: escapeLine, column: escapeColumn))
        default:
            scalars.append("\\")
            pos -= 1  // the character after the backslash is read as ordinary text
        }
    }

    // MARK: - Numbers

    private mutating func readNumber(line: Int, column: Int) throws(Failure) -> DefinitionNode {
        let start = pos
        var isFloat = false
        var radix = 10
        if bytes[pos] == UInt8(ascii: "0"), pos + 1 < bytes.count {
            switch bytes[pos + 1] | 0x20 {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: break
            }
            if radix != 10 { pos += 2 }
        }
        var digits: [UInt8] = []
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "_") { pos += 1; continue }
            if radix == 10 {
                if isDigit(b) { digits.append(b); pos += 1; continue }
                if b == UInt8(ascii: ".") { isFloat = true; digits.append(b); pos += 1; continue }
                if b | 0x20 == UInt8(ascii: "e") {
                    isFloat = true
                    digits.append(b); pos += 1
                    if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") {
                        digits.append(bytes[pos]); pos += 1
                    }
                    continue
                }
            } else if let h = hexValue(b), Int(h) < radix {
                digits.append(b); pos += 1; continue
            }
            break
        }
        if pos < bytes.count, isNameStart(bytes[pos]) { throw .code(NotALiteral(line: line, column: column)) }  // 1j, 0x1p3
        let written = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        if isFloat {
            guard let d = Double(String(decoding: digits, as: UTF8.self)) else {
                throw .syntax(DefinitionSyntaxError(reason: "invalid number \(written)", line: line, column: column))
            }
            return DefinitionNode(.float(d), text: written, line: line, column: column)
        }
        guard !digits.isEmpty else {
            throw .syntax(DefinitionSyntaxError(reason: "invalid number \(written)", line: line, column: column))
        }
        let decimal = Self.decimalDigits(digits, radix: radix)
        return DefinitionNode(.integer(Int64(decimal)), text: decimal, line: line, column: column)
    }

    /// The decimal digits of an unsigned integer written in `radix` (any length, no leading zeros).
    static func decimalDigits(_ digits: [UInt8], radix: Int) -> String {
        // Little-endian base-10^9 limbs: multiply by the radix and add each digit.
        var limbs: [UInt64] = [0]
        for d in digits {
            var carry = UInt64(d <= UInt8(ascii: "9") ? d - UInt8(ascii: "0") : (d | 0x20) - UInt8(ascii: "a") + 10)
            for i in limbs.indices {
                let v = limbs[i] * UInt64(radix) + carry
                limbs[i] = v % 1_000_000_000
                carry = v / 1_000_000_000
            }
            if carry > 0 { limbs.append(carry) }
        }
        var out = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let s = String(limb)
            out += String(repeating: "0", count: 9 - s.count) + s
        }
        return out
    }

    // MARK: - Lexing

    /// Skips blanks, comments and backslash-continued lines; and line breaks when `newlines` (inside brackets).
    mutating func skipTrivia(newlines: Bool) {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0C, 0x0D: pos += 1
            case 0x0A:
                guard newlines else { return }
                pos += 1; line += 1; lineStart = pos
            case UInt8(ascii: "#"):
                while pos < bytes.count, bytes[pos] != 0x0A { pos += 1 }
            case UInt8(ascii: "\\") where pos + 1 < bytes.count && bytes[pos + 1] == 0x0A:
                pos += 2; line += 1; lineStart = pos
            default: return
            }
        }
    }

    /// Reads an identifier (ASCII letters, digits, `_`, and any non-ASCII byte, as Python allows).
    mutating func readName() -> String {
        let start = pos
        while pos < bytes.count, isNameStart(bytes[pos]) || isDigit(bytes[pos]) { pos += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    }

    func peek(_ b: UInt8) -> Bool { pos < bytes.count && bytes[pos] == b }

    /// True when the byte `offset` places ahead is `b`.
    func peek(at offset: Int, _ b: UInt8) -> Bool { pos + offset < bytes.count && bytes[pos + offset] == b }

    /// Moves `n` bytes on (not past the end), counting the line breaks passed when `countingLines`.
    mutating func skip(_ n: Int, countingLines: Bool = false) {
        let end = min(bytes.count, pos + n)
        while pos < end {
            if countingLines && bytes[pos] == 0x0A { line += 1; lineStart = pos + 1 }
            pos += 1
        }
    }

    /// The reading position with its line bookkeeping, to come back to.
    var position: (Int, Int, Int) {
        get { (pos, line, lineStart) }
        set { (pos, line, lineStart) = newValue }
    }

    private func startsWord(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard pos + n <= bytes.count else { return false }
        for i in 0..<n where bytes[pos + i] != word.utf8Start[i] { return false }
        return true
    }

    func here() -> NotALiteral { NotALiteral(line: line, column: pos - lineStart + 1) }

    func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_") || b >= 0x80
    }

    func isQuote(_ b: UInt8) -> Bool { b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") }
    private func isDigit(_ b: UInt8) -> Bool { ASCIIByte.isDigit(b) }

    private func hexValue(_ b: UInt8) -> UInt32? { ASCIIByte.hexValue(b) }

    private func error(_ reason: String) -> DefinitionSyntaxError {
        DefinitionSyntaxError(reason: reason, line: line, column: pos - lineStart + 1)
    }
}

extension String {
    /// The string without leading and trailing blanks (spaces, tabs, line breaks).
    func trimmingSpaces() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
