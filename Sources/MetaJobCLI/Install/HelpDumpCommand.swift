/// One command as swift-argument-parser describes it in its help dump (`--experimental-dump-help`, the
/// ToolInfo model): the part of it the manual page needs. Decoded from the dump because ArgumentParser's own
/// `ArgumentParserToolInfo` module is not a product other packages may import.
struct HelpDumpCommand: Decodable {
    var commandName: String
    var abstract: String?
    var discussion: String?
    var shouldDisplay: Bool?
    var subcommands: [HelpDumpCommand]?
    var arguments: [HelpDumpArgument]?
}
