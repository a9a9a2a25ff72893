import MetaJobCore
import MetaJobScreen

/// Prints validation issues for people (`file:line: type error …`) or as JSON.
public enum IssuePrinter {
    public static func plain(_ issues: [ValidationIssue], file: String) -> String {
        var text = ""
        for issue in issues {
            var location = file
            if let line = issue.line { location += ":\(line)" }
            if let column = issue.column { location += ":\(column)" }
            let jobs = issue.jobs.isEmpty ? "" : " [" + issue.jobs.joined(separator: ", ") + "]"
            text += "\(location): \(issue.kind.rawValue) error\(jobs): \(issue.reason)\n"
            text += "  fix: \(issue.countermeasure)\n"
        }
        let n = issues.count
        text += "\(n) error\(n == 1 ? "" : "s") in \(file); nothing was started.\n"
        return TerminalSanitizer.sanitizeText(text)
    }

    public static func json(_ issues: [ValidationIssue], file: String) -> String {
        var o = JSONObjectWriter()
        o.bool("valid", false)
        o.string("file", file)
        var items: [String] = []
        for issue in issues {
            var i = JSONObjectWriter()
            i.string("type", issue.kind.rawValue)
            i.raw("jobs", JSONValue.array(issue.jobs.map { .string($0) }).jsonText)
            i.string("reason", issue.reason)
            i.string("countermeasure", issue.countermeasure)
            if let line = issue.line { i.int("line", line) } else { i.null("line") }
            if let column = issue.column { i.int("column", column) }
            items.append(i.finish())
        }
        o.raw("errors", "[" + items.joined(separator: ",") + "]")
        return o.finish() + "\n"
    }
}

extension TerminalSanitizer {
    /// Text we built ourselves that may quote user input: keeps newlines, neutralizes other controls.
    public static func sanitizeText(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { sanitize(Array($0.utf8)) }
            .joined(separator: "\n")
    }
}
