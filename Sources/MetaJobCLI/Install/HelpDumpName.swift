/// One spelling of an option or flag in ArgumentParser's help dump (`long`, `short` or `longWithSingleDash`).
struct HelpDumpName: Decodable {
    var kind: String
    var name: String

    /// As typed on the command line: `--name`, `-n` or `-name`.
    var spelled: String {
        switch kind {
        case "long": return "--" + name
        case "short": return "-" + name
        default: return "-" + name
        }
    }
}
