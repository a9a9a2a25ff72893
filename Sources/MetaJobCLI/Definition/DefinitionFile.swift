import Foundation
import MetaJobCore
import MetaJobRunner

/// Reads and validates a definition file for a command, printing problems the way every command does.
enum DefinitionFile {
    /// The definition at `path`, with its directory made absolute; prints the issues and throws exit 2 when invalid.
    static func load(path: String, jsonErrors: Bool = false) throws -> (MetaJobDefinition, [UInt8]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let why = !exists ? "no such file" : (isDir.boolValue ? "it is a directory" : "permission denied")
            CLIOutput.error("cannot read the definition file \(path): \(why). Give the path of a YAML or JSON meta job definition.")
            throw CLIExit.invalid
        }
        let bytes = [UInt8](data)
        return (try load(bytes: bytes, path: path, jsonErrors: jsonErrors), bytes)
    }

    /// Validates `bytes` as if read from `path`.
    static func load(bytes: [UInt8], path: String, jsonErrors: Bool = false) throws -> MetaJobDefinition {
        switch DefinitionLoader.load(bytes: bytes, path: path) {
        case .success(var definition):
            definition.directory = JobResolver.absolute(definition.directory, relativeTo: FileManager.default.currentDirectoryPath)
            return definition
        case .failure(let report):
            if jsonErrors {
                CLIOutput.stdout(IssuePrinter.json(report.issues, file: path))
            } else {
                CLIOutput.stderr(IssuePrinter.plain(report.issues, file: path))
            }
            throw CLIExit.invalid
        }
    }
}
