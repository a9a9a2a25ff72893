import ArgumentParser
import MetaJobCore

/// `metajob validate FILE`: checks a definition without running anything.
struct ValidateCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a meta job definition: every error with its type, jobs, reason, fix and line.")

    @Argument(help: "The definition: a YAML or JSON file, a VDK DAG step (.py) or a VDK DAG job directory.")
    var file: String

    @Option(name: .long, help: "plain or json.")
    var output: OutputFormat = .plain

    func run() throws {
        let (definition, _) = try DefinitionFile.load(path: file, jsonErrors: output == .json)
        let graph = JobGraph(definition)
        if output == .json {
            var o = JSONObjectWriter()
            o.bool("valid", true); o.string("file", file); o.string("meta_job", definition.name)
            o.int("jobs", graph.count); o.int("edges", graph.edgeCount); o.int("depth", graph.depth)
            CLIOutput.stdout(o.finish() + "\n")
        } else {
            CLIOutput.stdout("valid: \(graph.count) jobs, \(graph.edgeCount) edges, depth \(graph.depth)\n")
        }
    }
}
