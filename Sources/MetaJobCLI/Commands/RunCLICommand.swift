import ArgumentParser
import Foundation

/// `metajob run FILE`: validates and runs a meta job.
struct RunCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Validate and run a meta job definition (YAML or JSON).")

    @Argument(help: "The definition file.")
    var file: String

    @OptionGroup var options: RunOptions

    func run() throws {
        let (definition, _) = try DefinitionFile.load(path: file)
        let code = try HeadlessSession(definition: definition, options: options,
                                       environment: Environment(ProcessInfo.processInfo.environment)).run()
        throw code
    }
}
