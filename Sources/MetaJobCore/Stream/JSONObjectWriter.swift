/// Builds one compact JSON object, key by key, as UTF-8 bytes without Foundation: the printers and the control
/// socket write one per event, and Foundation's encoder cost several times more per event. Objects nest in place
/// (`open`/`close`), so a frame is written once into one buffer, never copied from an inner object's text.
public struct JSONObjectWriter: Sendable {
    private var bytes: [UInt8] = []
    /// The innermost object or array still open has no key or element yet. (It and its closer are kept apart
    /// from the outer ones': every key reads them, and an array's element access cost a uniqueness check each.)
    private var innerEmpty = true
    /// What closes the innermost: `}` or `]`.
    private var innerCloser: UInt8 = 0x7D
    /// The same for each outer object or array still open, outermost first.
    private var outer: [(empty: Bool, closer: UInt8)] = []

    /// An empty object; `capacity` is a hint of the bytes it will take.
    public init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
        bytes.append(0x7B)
    }

    private mutating func key(_ k: String) {
        assert(innerCloser == 0x7D, "a key inside an array")
        if !innerEmpty { bytes.append(0x2C) }
        innerEmpty = false
        JSONValue.writeString(k, into: &bytes)
        bytes.append(0x3A)
    }

    /// `k` set to the string `v` (escaped).
    public mutating func string(_ k: String, _ v: String) { key(k); JSONValue.writeString(v, into: &bytes) }
    /// `k` set to an integer.
    public mutating func int(_ k: String, _ v: Int) { key(k); bytes.append(contentsOf: String(v).utf8) }
    /// `k` set to an unsigned integer.
    public mutating func uint(_ k: String, _ v: UInt64) { key(k); bytes.append(contentsOf: String(v).utf8) }
    /// `k` set to a number; `null` when it is not finite (JSON has no infinities).
    public mutating func double(_ k: String, _ v: Double) {
        key(k)
        bytes.append(contentsOf: (v.isFinite ? String(v) : "null").utf8)
    }
    /// `k` set to true or false.
    public mutating func bool(_ k: String, _ v: Bool) { key(k); bytes.append(contentsOf: (v ? "true" : "false").utf8) }
    /// `k` set to null.
    public mutating func null(_ k: String) { key(k); bytes.append(contentsOf: "null".utf8) }
    /// `k` set to an array of integers.
    public mutating func ints(_ k: String, _ values: [Int]) {
        key(k)
        bytes.append(0x5B)
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            bytes.append(contentsOf: String(v).utf8)
        }
        bytes.append(0x5D)
    }
    /// `k` set to the string of `data` in base64 (exact bytes in JSON).
    public mutating func base64(_ k: String, _ data: [UInt8]) {
        key(k)
        bytes.append(0x22)
        Base64.append(data, to: &bytes)
        bytes.append(0x22)
    }
    /// `k` set to `json`, which must already be valid JSON.
    public mutating func raw(_ k: String, _ json: String) { key(k); bytes.append(contentsOf: json.utf8) }

    /// `k` set to an array of strings.
    public mutating func strings(_ k: String, _ values: [String]) {
        key(k)
        bytes.append(0x5B)
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            JSONValue.writeString(v, into: &bytes)
        }
        bytes.append(0x5D)
    }

    /// Starts an object under `k`; the keys that follow go in it until `close()`.
    public mutating func open(_ k: String) {
        key(k)
        bytes.append(0x7B)
        push(0x7D)
    }

    /// Starts an array under `k`; `openElement()` adds its objects, `close()` ends it.
    public mutating func openArray(_ k: String) {
        key(k)
        bytes.append(0x5B)
        push(0x5D)
    }

    /// Starts the next object of the array `openArray` started; its keys follow until `close()`.
    public mutating func openElement() {
        precondition(innerCloser == 0x5D, "openElement() outside an array")
        if !innerEmpty { bytes.append(0x2C) }
        innerEmpty = false
        bytes.append(0x7B)
        push(0x7D)
    }

    private mutating func push(_ closer: UInt8) {
        outer.append((innerEmpty, innerCloser))
        innerEmpty = true
        innerCloser = closer
    }

    /// `k` set to an empty object.
    public mutating func emptyObject(_ k: String) { key(k); bytes.append(contentsOf: [0x7B, 0x7D]) }

    /// Ends the object or array last started.
    public mutating func close() {
        precondition(!outer.isEmpty, "close() without open()")
        bytes.append(innerCloser)
        (innerEmpty, innerCloser) = outer.removeLast()
    }

    /// The object's bytes, everything still open closed; the writer is done.
    public mutating func finishBytes() -> [UInt8] {
        bytes.append(innerCloser)
        for level in outer.reversed() { bytes.append(level.closer) }
        outer = []
        return bytes
    }

    /// The object's text, everything still open closed; the writer is done.
    public mutating func finish() -> String {
        String(decoding: finishBytes(), as: UTF8.self)
    }
}
