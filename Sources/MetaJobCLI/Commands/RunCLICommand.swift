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
    @OptionGroup var history: HistoryOptions
    @OptionGroup var dashboard: DashboardOptions

    func run() throws {
        let (definition, bytes) = try DefinitionFile.load(path: file)
        let source = RunSource(definition: definition, definitionText: bytes, definitionPath: DefinitionFile.resolvedPath(file))
        let code = try RunSession(source: source, options: options, dashboard: dashboard, history: history,
                                       environment: Environment(ProcessInfo.processInfo.environment)).run()
        throw code
    }
}
