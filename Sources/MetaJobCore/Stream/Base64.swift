/// Standard base64 (RFC 4648, with padding) for exact bytes in JSON: the NDJSON output and the run's events.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The bytes as base64 text.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the bytes as base64 text (ASCII) to `out`: the control socket writes every log line this way.
    public static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        let count = (bytes.count + 2) / 3 * 4
        guard count > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        out.withUnsafeMutableBufferPointer { o in
            alphabet.withUnsafeBufferPointer { a in
                bytes.withUnsafeBufferPointer { b in
                    var i = 0
                    var j = start
                    while i + 2 < b.count {
                        let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
                        o[j] = a[Int(n >> 18 & 63)]
                        o[j + 1] = a[Int(n >> 12 & 63)]
                        o[j + 2] = a[Int(n >> 6 & 63)]
                        o[j + 3] = a[Int(n & 63)]
                        i += 3
                        j += 4
                    }
                    let rest = b.count - i
                    guard rest > 0 else { return }
                    let n = UInt32(b[i]) << 16 | (rest == 2 ? UInt32(b[i + 1]) << 8 : 0)
                    o[j] = a[Int(n >> 18 & 63)]
                    o[j + 1] = a[Int(n >> 12 & 63)]
                    o[j + 2] = rest == 2 ? a[Int(n >> 6 & 63)] : UInt8(ascii: "=")
                    o[j + 3] = UInt8(ascii: "=")
                }
            }
        }
    }

    /// The bytes of base64 `text` (padding optional); nil when it is not base64. Every log line a client of the
    /// control socket reads goes through here.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// The bytes of base64 `utf8` (padding optional); nil when it is not base64.
    public static func decode(_ utf8: UnsafeRawBufferPointer) -> [UInt8]? {
        var n = utf8.count
        var padding = 0
        while n > 0 && utf8[n - 1] == UInt8(ascii: "=") && padding < 2 {
            n -= 1
            padding += 1
        }
        guard n % 4 != 1 else { return nil }
        let full = n / 4
        let rest = n % 4
        let count = full * 3 + (rest == 0 ? 0 : rest - 1)
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: count) { o, initialized in
            values.withUnsafeBufferPointer { v in
                var i = 0
                var j = 0
                func sextet(_ k: Int) -> UInt32 {
                    let x = v[Int(utf8[k])]
                    if x > 63 { failed = true }
                    return UInt32(x)
                }
                for _ in 0 ..< full {
                    let n = sextet(i) << 18 | sextet(i + 1) << 12 | sextet(i + 2) << 6 | sextet(i + 3)
                    o[j] = UInt8(truncatingIfNeeded: n >> 16)
                    o[j + 1] = UInt8(truncatingIfNeeded: n >> 8)
                    o[j + 2] = UInt8(truncatingIfNeeded: n)
                    i += 4
                    j += 3
                }
                if rest >= 2 {
                    var n = sextet(i) << 18 | sextet(i + 1) << 12
                    if rest == 3 { n |= sextet(i + 2) << 6 }
                    o[j] = UInt8(truncatingIfNeeded: n >> 16)
                    if rest == 3 { o[j + 1] = UInt8(truncatingIfNeeded: n >> 8) }
                }
            }
            initialized = count
        }
        return failed ? nil : out
    }

    /// Each byte's value in the alphabet; 255 for a byte that is not in it.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()
}
