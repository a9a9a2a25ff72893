import MetaJobCore

/// Builds one compact JSON object, key by key, without Foundation (the printers run per event).
struct JSONObjectWriter {
    private var text = "{"
    private var empty = true

    private mutating func key(_ k: String) {
        if !empty { text += "," }
        empty = false
        JSONValue.writeString(k, into: &text)
        text += ":"
    }

    mutating func string(_ k: String, _ v: String) { key(k); JSONValue.writeString(v, into: &text) }
    mutating func int(_ k: String, _ v: Int) { key(k); text += String(v) }
    mutating func double(_ k: String, _ v: Double) { key(k); text += v.isFinite ? String(v) : "null" }
    mutating func bool(_ k: String, _ v: Bool) { key(k); text += v ? "true" : "false" }
    mutating func null(_ k: String) { key(k); text += "null" }
    mutating func raw(_ k: String, _ json: String) { key(k); text += json }

    mutating func finish() -> String {
        text += "}"
        return text
    }
}
