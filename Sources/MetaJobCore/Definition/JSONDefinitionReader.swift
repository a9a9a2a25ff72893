/// Reads JSON bytes into a `DefinitionNode` tree.
///
/// Hand-written over raw bytes rather than Foundation's JSONSerialization because we need line/column
/// of every node, duplicate keys kept, integers told apart from floats, and speed on 100k-job files.
/// Recursion is bounded by `maxDepth`, so hostile nesting cannot overflow the stack.
struct JSONDefinitionReader {
    /// The deepest container nesting accepted; real definitions need about 6.
    static let maxDepth = 256

    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private var line = 1
    private var lineStart = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one JSON value filling the whole input (surrounding whitespace allowed).
    /// The bytes must already be valid UTF-8 (the loader checks).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(DefinitionSyntaxError) -> DefinitionNode {
        var reader = JSONDefinitionReader(bytes: bytes)
        reader.skipWhitespace()
        if reader.pos == bytes.count { throw reader.error("the document is empty") }
        let node = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        if reader.pos < bytes.count {
            throw reader.error("unexpected \(reader.describeCurrent()) after the end of the JSON value")
        }
        return node
    }

    // MARK: - Values

    private mutating func readValue(depth: Int) throws(DefinitionSyntaxError) -> DefinitionNode {
        guard pos < bytes.count else { throw error("unexpected end of file, expected a value") }
        let line = self.line, column = pos - lineStart + 1
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            let text = try readString()
            return DefinitionNode(.string, text: text, line: line, column: column)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return DefinitionNode(.bool(true), text: "true", line: line, column: column)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return DefinitionNode(.bool(false), text: "false", line: line, column: column)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return DefinitionNode(.null, text: "null", line: line, column: column)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try readNumber()
        default:
            throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    private mutating func readObject(depth: Int) throws(DefinitionSyntaxError) -> DefinitionNode {
        if depth > Self.maxDepth { throw error("nesting is deeper than \(Self.maxDepth) levels") }
        let startLine = line, startColumn = pos - lineStart + 1
        pos += 1  // {
        var entries: [DefinitionNode.Entry] = []
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return DefinitionNode(.mapping(entries), line: startLine, column: startColumn)
        }
        while true {
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                throw error("expected a string key in double quotes, found \(describeCurrent())")
            }
            let keyLine = line, keyColumn = pos - lineStart + 1
            let key = DefinitionNode(.string, text: try readString(), line: keyLine, column: keyColumn)
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
                throw error("expected ':' after the object key \"\(key.text)\", found \(describeCurrent())")
            }
            pos += 1
            skipWhitespace()
            let value = try readValue(depth: depth)
            entries.append(DefinitionNode.Entry(key: key, value: value))
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of file, expected ',' or '}'") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
            throw error("expected ',' or '}' after an object member, found \(describeCurrent())")
        }
        return DefinitionNode(.mapping(entries), line: startLine, column: startColumn)
    }

    private mutating func readArray(depth: Int) throws(DefinitionSyntaxError) -> DefinitionNode {
        if depth > Self.maxDepth { throw error("nesting is deeper than \(Self.maxDepth) levels") }
        let startLine = line, startColumn = pos - lineStart + 1
        pos += 1  // [
        var items: [DefinitionNode] = []
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return DefinitionNode(.sequence(items), line: startLine, column: startColumn)
        }
        while true {
            skipWhitespace()
            items.append(try readValue(depth: depth))
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of file, expected ',' or ']'") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
            throw error("expected ',' or ']' after an array item, found \(describeCurrent())")
        }
        return DefinitionNode(.sequence(items), line: startLine, column: startColumn)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(DefinitionSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let matches = pos + count <= bytes.count
            && (0..<count).allSatisfy { bytes[pos + $0] == literal.utf8Start[$0] }
        guard matches else { throw error("unexpected \(describeCurrent()), expected a value") }
        pos += count
    }

    /// Reads a number; integers (no fraction, no exponent) stay exact, overflow becomes `.integer(nil)`.
    private mutating func readNumber() throws(DefinitionSyntaxError) -> DefinitionNode {
        let start = pos, column = pos - lineStart + 1
        let negative = bytes[pos] == UInt8(ascii: "-")
        if negative { pos += 1 }
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("expected a digit after '-'") }
        // Accumulate negatively so Int64.min fits; overflow only flips a flag.
        var value: Int64 = 0
        var overflow = false
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, isDigit(bytes[pos]) { throw error("numbers cannot have leading zeros") }
        } else {
            while pos < bytes.count, isDigit(bytes[pos]) {
                if !overflow {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.subtractingReportingOverflow(Int64(bytes[pos] - UInt8(ascii: "0")))
                    if o1 || o2 { overflow = true } else { value = s }
                }
                pos += 1
            }
        }
        var isFloat = false
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            isFloat = true
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("expected a digit after '.'") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            isFloat = true
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("expected a digit in the exponent") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        if isFloat {
            return DefinitionNode(.float(Double(text) ?? .nan), text: text, line: line, column: column)
        }
        var result: Int64? = nil
        if !overflow {
            if negative { result = value } else if value != .min { result = -value }
        }
        return DefinitionNode(.integer(result), text: text, line: line, column: column)
    }

    /// Reads a string literal at `pos` (on the opening quote). Strings without escapes are decoded straight
    /// from the buffer; only escaped ones go through a scratch buffer.
    private mutating func readString() throws(DefinitionSyntaxError) -> String {
        pos += 1
        let start = pos
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character \(describeCurrent()) inside a string; escape it") }
            pos += 1
        }
        guard pos < bytes.count else { throw error("unterminated string") }
        var scratch = Array(bytes[start..<pos])
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b < 0x20 { throw error("control character \(describeCurrent()) inside a string; escape it") }
            if b != UInt8(ascii: "\\") { scratch.append(b); pos += 1; continue }
            pos += 1
            guard pos < bytes.count else { break }
            switch bytes[pos] {
            case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard pos + 2 < bytes.count, bytes[pos + 1] == UInt8(ascii: "\\"),
                          bytes[pos + 2] == UInt8(ascii: "u") else {
                        throw error("unpaired UTF-16 surrogate in a \\u escape")
                    }
                    pos += 2
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw error("unpaired UTF-16 surrogate in a \\u escape")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("unpaired UTF-16 surrogate in a \\u escape")
                }
                scratch.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
            default:
                throw error("invalid escape \\\(describeByte(bytes[pos])) in a string")
            }
            pos += 1
        }
        throw error("unterminated string")
    }

    /// Reads the 4 hex digits after `\u` (pos is on the `u`), leaving pos on the last digit.
    private mutating func readHex4() throws(DefinitionSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            pos += 1
            guard pos < bytes.count, let digit = hexValue(bytes[pos]) else {
                throw error("expected 4 hexadecimal digits after \\u")
            }
            value = value << 4 | digit
        }
        return value
    }

    // MARK: - Helpers

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): pos += 1
            case UInt8(ascii: "\n"):
                pos += 1
                line += 1
                lineStart = pos
            default: return
            }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { ASCIIByte.isDigit(b) }

    private func hexValue(_ b: UInt8) -> UInt32? { ASCIIByte.hexValue(b) }

    private func describeCurrent() -> String {
        pos < bytes.count ? describeByte(bytes[pos]) : "end of file"
    }

    private func describeByte(_ b: UInt8) -> String {
        switch b {
        case 0x0A: return "end of line"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(b)))'"
        default: return "byte 0x" + String(b, radix: 16, uppercase: true)
        }
    }

    /// An error at `pos`; the column counts characters, not bytes (UTF-8 continuation bytes are skipped).
    private func error(_ reason: String) -> DefinitionSyntaxError {
        let end = min(pos, bytes.count)
        var column = 1
        var i = lineStart
        while i < end {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return DefinitionSyntaxError(reason: reason, line: line, column: column)
    }
}
