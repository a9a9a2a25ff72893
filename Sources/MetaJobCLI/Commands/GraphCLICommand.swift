import ArgumentParser

/// `metajob graph FILE --format dot|mermaid`: the DAG for Graphviz or Mermaid.
struct GraphCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a meta job's DAG for Graphviz (dot) or Mermaid.")

    @Argument(help: "The definition: a YAML or JSON file, a VDK DAG step (.py) or a VDK DAG job directory.")
    var file: String

    @Option(name: .long, help: "dot or mermaid.")
    var format: GraphFormatArgument = GraphFormatArgument(format: .dot)

    func run() throws {
        let (definition, _) = try DefinitionFile.load(path: file)
        CLIOutput.stdout(GraphExporter.render(definition, format: format.format))
    }
}

/// `--format`.
struct GraphFormatArgument: ExpressibleByArgument {
    var format: GraphExporter.Format
    init(format: GraphExporter.Format) { self.format = format }
    init?(argument: String) {
        guard let f = GraphExporter.Format(rawValue: argument.lowercased()) else { return nil }
        format = f
    }
    var defaultValueDescription: String { format.rawValue }
    static var allValueStrings: [String] { GraphExporter.Format.allCases.map(\.rawValue) }
}
