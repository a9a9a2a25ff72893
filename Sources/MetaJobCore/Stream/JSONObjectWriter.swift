/// Builds one compact JSON object, key by key, without Foundation: the printers and the control socket write
/// one per event, and Foundation's encoder cost several times more per event.
public struct JSONObjectWriter: Sendable {
    private var text = "{"
    private var empty = true

    /// An empty object.
    public init() {}

    private mutating func key(_ k: String) {
        if !empty { text += "," }
        empty = false
        JSONValue.writeString(k, into: &text)
        text += ":"
    }

    /// `k` set to the string `v` (escaped).
    public mutating func string(_ k: String, _ v: String) { key(k); JSONValue.writeString(v, into: &text) }
    /// `k` set to an integer.
    public mutating func int(_ k: String, _ v: Int) { key(k); text += String(v) }
    /// `k` set to an unsigned integer.
    public mutating func uint(_ k: String, _ v: UInt64) { key(k); text += String(v) }
    /// `k` set to a number; `null` when it is not finite (JSON has no infinities).
    public mutating func double(_ k: String, _ v: Double) { key(k); text += v.isFinite ? String(v) : "null" }
    /// `k` set to true or false.
    public mutating func bool(_ k: String, _ v: Bool) { key(k); text += v ? "true" : "false" }
    /// `k` set to null.
    public mutating func null(_ k: String) { key(k); text += "null" }
    /// `k` set to `json`, which must already be valid JSON.
    public mutating func raw(_ k: String, _ json: String) { key(k); text += json }

    /// The object's text; the writer is done.
    public mutating func finish() -> String {
        text += "}"
        return text
    }
}
