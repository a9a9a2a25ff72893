/// The top of ArgumentParser's help dump: its format version and the root command.
struct HelpDump: Decodable {
    var serializationVersion: Int
    var command: HelpDumpCommand
}
