/// A JSON value that keeps object key order, for job `arguments`.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer beyond 64 bits, as its decimal digits (optional leading '-'): passed on exactly, as Python does.
    case bigInt(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.bigInt(a), .bigInt(b)): return a == b
        case let (.double(a), .double(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Compact JSON text.
    public var jsonText: String {
        var out = ""
        write(into: &out)
        return out
    }

    /// Appends compact JSON text to `out`.
    public func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .bigInt(let digits): out += digits
        case .double(let d): out += JSONValue.pythonFloat(d)
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(pair.key, into: &out)
                out += ":"
                pair.value.write(into: &out)
            }
            out += "}"
        }
    }

    /// `d` as Python's json.dumps writes it (VDK serialises arguments that way): repr's shortest digits, fixed
    /// notation for 1e-4 <= |d| < 1e16 (with ".0" when whole), else `1e+16` style; `Infinity`, `-Infinity`, `NaN`.
    public static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description has the same shortest round-trip digits; only the layout differs.
        var text = Substring(String(abs(d)))
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits = ""
        var point = text.count
        if let dot = text.firstIndex(of: ".") {
            point = text.distance(from: text.startIndex, to: dot)
            digits = String(text[..<dot]) + String(text[text.index(after: dot)...])
        } else {
            digits = String(text)
        }
        // Value = 0.digits × 10^(point + exponent); normalise to d.ddd × 10^p.
        var p = point + exponent - 1
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); p -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        if p >= -4 && p < 16 {
            if p >= 0 {
                let whole = digits.count > p + 1 ? String(digits.prefix(p + 1)) : digits + String(repeating: "0", count: p + 1 - digits.count)
                let fraction = digits.count > p + 1 ? String(digits.dropFirst(p + 1)) : "0"
                return sign + whole + "." + fraction
            }
            return sign + "0." + String(repeating: "0", count: -p - 1) + digits
        }
        let mantissa = digits.count > 1 ? String(digits.prefix(1)) + "." + String(digits.dropFirst()) : digits
        let magnitude = String(abs(p))
        return sign + mantissa + "e" + (p < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
    }

    /// The integer `text` as plain decimal digits (leading '+' and zeros dropped), or nil when it is not decimal.
    public static func decimalInteger(_ text: String) -> String? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") { negative = true; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        while body.count > 1 && body.hasPrefix("0") { body = body.dropFirst() }
        return (negative && body != "0" ? "-" : "") + body
    }

    /// Appends `s` as a JSON string literal, escaping what JSON requires.
    public static func writeString(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        writeString(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal in UTF-8, escaping quote, backslash, the C0 and C1 controls, DEL and
    /// U+2028/U+2029 (which end a line in JavaScript). Works on the UTF-8 bytes: the control socket writes every
    /// log line through here, and a scalar at a time cost the run most of its CPU under a flood.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { utf8 in
            // Most strings (keys, job names, states) need no escape: one copy.
            if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x7F }) {
                out.append(contentsOf: utf8)
                return
            }
            var run = 0  // start of the bytes not yet copied
            var i = 0
            let n = utf8.count
            func escape(_ text: StaticString, upTo end: Int, skip: Int) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run ..< end]))
                out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
                run = end + skip
            }
            func unicode(_ value: UInt32, upTo end: Int, skip: Int) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run ..< end]))
                out.append(contentsOf: [0x5C, 0x75])  // \u
                for shift in stride(from: 12, through: 0, by: -4) {
                    out.append(hexDigits[Int(value >> UInt32(shift) & 0xF)])
                }
                run = end + skip
            }
            while i < n {
                let b = utf8[i]
                switch b {
                case 0x22: escape("\\\"", upTo: i, skip: 1)
                case 0x5C: escape("\\\\", upTo: i, skip: 1)
                case 0x0A: escape("\\n", upTo: i, skip: 1)
                case 0x0D: escape("\\r", upTo: i, skip: 1)
                case 0x09: escape("\\t", upTo: i, skip: 1)
                case 0x00 ..< 0x20, 0x7F: unicode(UInt32(b), upTo: i, skip: 1)
                case 0xC2 where i + 1 < n && utf8[i + 1] >= 0x80 && utf8[i + 1] < 0xA0:
                    unicode(UInt32(utf8[i + 1]), upTo: i, skip: 2)  // U+0080 ... U+009F
                    i += 1
                case 0xE2 where i + 2 < n && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9):
                    unicode(0x2000 | UInt32(utf8[i + 2] & 0x3F), upTo: i, skip: 3)  // U+2028, U+2029
                    i += 2
                default: break
                }
                i += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run ..< n]))
        }
        out.append(0x22)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
