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
        // Built as bytes and decoded once: a line of control bytes (a hostile job's NULs) must not cost an
        // allocation per byte, or the dashboard falls behind its output.
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if (b >= 0x20 && b < 0x7F) || b == 0x09 {
                    out.append(b)
                } else {
                    appendHexEscape(b, to: &out)
                }
                i += 1
                continue
            }
            let length = sequenceLength(bytes, at: i)
            if length == 0 {
                appendHexEscape(b, to: &out)
                i += 1
                continue
            }
            if length == 2, b == 0xC2, bytes[i + 1] < 0xA0 {
                // C1 controls (e.g. U+009B CSI): C2 80…C2 9F encode U+0080…U+009F, the second byte is the value.
                appendUnicodeEscape(bytes[i + 1], to: &out)
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i ..< (i + length)]))
            }
            i += length
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `\xNN`.
    private static func appendHexEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        out.append(0x78)
        out.append(hexDigit(b >> 4))
        out.append(hexDigit(b & 0xF))
    }

    /// Appends `\u{NN}` for a C1 control (U+0080…U+009F, always two digits).
    private static func appendUnicodeEscape(_ value: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        out.append(0x75)
        out.append(0x7B)
        out.append(hexDigit(value >> 4))
        out.append(hexDigit(value & 0xF))
        out.append(0x7D)
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? 0x30 + v : 0x61 + v - 10
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
