/// One argument, option or flag in ArgumentParser's help dump: what the manual page lists for it.
struct HelpDumpArgument: Decodable {
    /// `positional`, `option` or `flag`.
    var kind: String
    var shouldDisplay: Bool
    var isOptional: Bool
    var isRepeating: Bool
    var names: [HelpDumpName]?
    var valueName: String?
    var defaultValue: String?
    var allValues: [String]?
    var abstract: String?
    var discussion: String?
}
