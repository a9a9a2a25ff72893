import MetaJobCore

/// The OSC 52 sequence that puts text on the terminal's clipboard (xterm, kitty, iTerm2, tmux with
/// `set-clipboard on`), built by the dashboard itself: the text travels base64-encoded, so whatever it holds
/// reaches the terminal only as letters, digits, `+`, `/` and `=`.
public enum ClipboardSequence {
    /// The most text bytes sent: terminals drop longer sequences (xterm's default limit is near 100 KB encoded).
    public static let maxTextBytes = 74_994

    /// `ESC ] 52 ; c ; <base64 of text> BEL`, the text cut at `maxTextBytes` on a character boundary.
    public static func osc52(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if bytes.count + encoded.count > maxTextBytes { break }
            bytes += encoded
        }
        return Array("\u{1B}]52;c;".utf8) + Array(Base64.encode(bytes).utf8) + [0x07]
    }
}
