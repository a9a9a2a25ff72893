import Foundation

/// Words for what the Control Service said, safe to show: the error body's messages, secrets removed.
struct ServiceMessage {
    /// Substrings never to show (the refresh token and every access token seen).
    var secrets: [String]

    /// The service's message from an error body (`messages`, `message`, `what`/`why`, `error_description`),
    /// else the body's text, shortened; always with every secret replaced.
    func describe(_ body: Data) -> String {
        var text = ""
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let messages = object["messages"] as? [String], !messages.isEmpty {
                text = messages.joined(separator: "; ")
            } else if let what = object["what"] as? String {
                text = what + ((object["why"] as? String).map { " (\($0))" } ?? "")
            } else if let message = object["message"] as? String {
                text = message
            } else if let description = object["error_description"] as? String {
                text = description
            } else if let error = object["error"] as? String {
                text = error
            }
        }
        if text.isEmpty { text = String(decoding: body.prefix(500), as: UTF8.self) }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > 500 { text = String(text.prefix(500)) + "…" }
        return redact(text)
    }

    /// `text` with every secret replaced by `[redacted]`.
    func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where !secret.isEmpty && out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return out
    }

    /// `line` with every secret replaced, as bytes (job logs may print anything).
    func redact(line: [UInt8]) -> [UInt8] {
        guard secrets.contains(where: { !$0.isEmpty }) else { return line }
        let text = String(decoding: line, as: UTF8.self)
        guard secrets.contains(where: { !$0.isEmpty && text.contains($0) }) else { return line }
        return Array(redact(text).utf8)
    }
}
