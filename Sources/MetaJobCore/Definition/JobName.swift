/// The rules for a `job_name`, and how a name is shown in messages (never raw).
public enum JobName {
    /// Why `name` cannot name a job at all (any executor), with VDK's error type; nil when it can.
    static func problem(_ name: String) -> (kind: ValidationIssue.Kind, reason: String, fix: String)? {
        // The common case, checked in one pass over the bytes: printable ASCII without '/', not `.`/`..`.
        var plain = !name.isEmpty
        for b in name.utf8 where b <= 0x20 || b >= 0x7F || b == UInt8(ascii: "/") { plain = false; break }
        if plain && name != "." && name != ".." { return nil }
        let shown = escaped(name)
        if name.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            return (.requirement, "The job dict key job_name is empty\(name.isEmpty ? "" : " (only blanks: \(shown))").",
                    "Give the job a name, for example `job_name: load-orders`.")
        }
        if name == "." || name == ".." {
            return (.type, "The job name \(shown) names a directory, not a job.",
                    "Rename the job, for example `job_name: load-orders`.")
        }
        if name.unicodeScalars.first!.properties.isWhitespace || name.unicodeScalars.last!.properties.isWhitespace {
            return (.type, "The job name \(shown) starts or ends with a blank.",
                    "Remove the blanks around the name: `job_name: \(escaped(name.trimmingSpaces()))`.")
        }
        if name.utf8.contains(UInt8(ascii: "/")) {
            return (.type, "The job name \(shown) contains '/'; a job name is one directory name, not a path.",
                    "Use a name without '/' (`-` or `_` instead), and put the job's directory on DAGS_LOCAL_RUN_JOB_PATH.")
        }
        if name.unicodeScalars.contains(where: isHidden) {
            return (.type, "The job name \(shown) contains control or bidirectional formatting characters.",
                    "Use visible characters only, for example letters, digits, '-' and '_'.")
        }
        return nil
    }

    /// Why `name` is not a Control Service data job name (`[a-z][a-z0-9-]`, 5 to 50 characters); nil when it is.
    public static func remoteProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        let valid = (5...50).contains(bytes.count) && bytes[0] >= UInt8(ascii: "a") && bytes[0] <= UInt8(ascii: "z")
            && bytes.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        return valid ? nil : "The remote job name \(escaped(name)) is not a data job name the Control Service accepts: "
            + "it starts with a letter, has 5 to 50 characters, and uses only lowercase letters, digits and '-'."
    }

    /// A Control Service name close to `name`: lowercase, other characters as '-'.
    public static func suggestedRemoteName(_ name: String) -> String {
        var out = ""
        for scalar in name.lowercased().unicodeScalars {
            let v = scalar.value
            out.unicodeScalars.append((v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) ? scalar : "-")
        }
        if out.isEmpty || !(out.first!.isLetter) { out = "job-" + out }
        while out.count < 5 { out += "-job" }
        return String(out.prefix(50))
    }

    /// `name` in backquotes with control, bidirectional and other invisible characters escaped (`\n`, `\u{202E}`):
    /// safe to print anywhere, and unambiguous.
    public static func escaped(_ name: String) -> String {
        var out = "`"
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            default:
                if isHidden(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "`"
    }

    /// Controls (C0, DEL, C1), bidirectional overrides/isolates/marks and other format characters.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return true }
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator, .control, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }
}
