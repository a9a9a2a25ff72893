/// Makes untrusted job output safe to print: control bytes and invalid UTF-8 become visible escapes,
/// so no escape sequence (clear screen, cursor moves, OSC title or clipboard) ever reaches a terminal.
public enum TerminalSanitizer {
    /// `bytes` as printable text: tabs kept, other C0/C1 controls and DEL as `\xNN` / `\u{NN}`, invalid UTF-8 as `\xNN`.
    public static func sanitize(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { sanitize($0) }
    }

    /// A line of a log batch, as `sanitize(_: [UInt8])`.
    public static func sanitize(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { sanitize($0) }
    }

    /// The work of both, over contiguous bytes indexed from 0.
    static func sanitize(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Fast path: plain printable ASCII is the common case.
        if bytes.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if (b >= 0x20 && b < 0x7F) || b == 0x09 {
                    out.unicodeScalars.append(Unicode.Scalar(b))
                } else {
                    out += hex(b)
                }
                i += 1
                continue
            }
            let length = sequenceLength(bytes, at: i)
            if length == 0 {
                out += hex(b)
                i += 1
                continue
            }
            let scalarText = String(decoding: bytes[i..<(i + length)], as: UTF8.self)
            if let scalar = scalarText.unicodeScalars.first, (0x80..<0xA0).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"  // C1 controls (e.g. U+009B CSI)
            } else {
                out += scalarText
            }
            i += length
        }
        return out
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xF)])
    }

    /// Length of the valid UTF-8 sequence starting at `i`, or 0 when it is not valid.
    private static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = bytes[i]
        let length: Int
        let minimum: UInt32
        var value: UInt32
        switch b {
        case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(b & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(b & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(b & 0x07)
        default: return 0
        }
        guard i + length <= bytes.count else { return 0 }
        for k in 1..<length {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return 0 }
            value = (value << 6) | UInt32(c & 0x3F)
        }
        guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return 0 }
        return length
    }
}
