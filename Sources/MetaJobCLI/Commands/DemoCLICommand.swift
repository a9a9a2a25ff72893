import ArgumentParser
import Foundation

/// `metajob demo`: runs the built-in demo meta job, with no set-up.
struct DemoCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a built-in demo meta job: eleven jobs over four levels, one flaky job to retry.")

    @OptionGroup var options: RunOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var dashboard: DashboardOptions

    @Flag(name: .long, help: "Print the demo's definition and exit.")
    var printDefinition = false

    func run() throws {
        if printDefinition {
            CLIOutput.stdout(DemoDefinition.yaml + "\n")
            return
        }
        // The demo's jobs touch no files; they run in the temporary directory.
        let bytes = Array(DemoDefinition.yaml.utf8)
        let definition = try DefinitionFile.load(bytes: bytes, path: DemoDefinition.path)
        let source = RunSource(definition: definition, definitionText: bytes, definitionPath: nil)
        // The demo is there to be watched: its jobs' progress lines are shown without asking.
        var options = self.options
        options.logs = true
        var variables = ProcessInfo.processInfo.environment
        // Set when the demo's dashboard runs it in a background copy of metajob; the jobs do not inherit it.
        let background = BackgroundRole.take(from: &variables)
        let environment = Environment(variables)
        var session = RunSession(source: source, options: options, dashboard: dashboard, history: history, environment: environment,
                                 background: background)
        if environment[DemoDefinition.flakyFailuresVariable] == nil {
            // In the dashboard the flaky job fails for good, so there is something to retry with `R`.
            session.dashboardOnly = [DemoDefinition.flakyFailuresVariable: "2"]
        }
        throw try session.run()
    }
}
