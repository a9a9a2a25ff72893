/// A roff document being written: macros, escaped text lines and paragraphs. Text never starts a line with
/// `.` or `'` unescaped, so help text can not turn into a roff request.
struct Roff {
    private(set) var output = ""

    /// A request such as `.SH NAME`; arguments with spaces are quoted.
    mutating func macro(_ name: String, _ arguments: String...) {
        var line = "." + name
        for argument in arguments {
            let escaped = Self.escape(argument).replacingOccurrences(of: "\"", with: "\"\"")
            line += escaped.contains(" ") || escaped.isEmpty ? " \"\(escaped)\"" : " " + escaped
        }
        output += line + "\n"
    }

    /// Lines already in roff (the caller escaped what came from text).
    mutating func raw(_ lines: String) {
        output += lines + "\n"
    }

    /// Plain text, escaped; one output line per input line.
    mutating func text(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let escaped = Self.escape(String(line))
            output += (escaped.first == "." || escaped.first == "'" ? "\\&" : "") + escaped + "\n"
        }
    }

    /// Text with blank lines between paragraphs.
    mutating func paragraphs(_ text: String) {
        let parts = text.replacingOccurrences(of: "`", with: "").components(separatedBy: "\n\n")
        for (index, part) in parts.enumerated() where !part.isEmpty {
            if index > 0 { macro("PP") }
            self.text(part)
        }
    }

    /// Backslashes and hyphens as roff wants them (`\e`, `\-`: a real minus, so options can be searched and pasted).
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            default: out.append(c)
            }
        }
        return out
    }
}
