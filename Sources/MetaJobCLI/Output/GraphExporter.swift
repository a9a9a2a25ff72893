import MetaJobCore

/// Writes a meta job's DAG for Graphviz (`dot`) or Mermaid.
public enum GraphExporter {
    /// The supported formats.
    public enum Format: String, CaseIterable, Sendable {
        case dot, mermaid
    }

    public static func render(_ definition: MetaJobDefinition, format: Format) -> String {
        let graph = JobGraph(definition)
        switch format {
        case .dot:
            var text = "digraph " + quoteDot(definition.name) + " {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n"
            for (j, job) in definition.jobs.enumerated() {
                var attributes = "label=" + quoteDot(job.name)
                if !job.failDagOnError { attributes += ", style=\"rounded,dashed\"" }
                text += "  n\(j) [\(attributes)];\n"
            }
            for j in 0..<graph.count {
                for d in graph.dependencies[j] { text += "  n\(d) -> n\(j);\n" }
            }
            return text + "}\n"
        case .mermaid:
            var text = "flowchart LR\n"
            for (j, job) in definition.jobs.enumerated() {
                text += "  n\(j)[\"\(escapeMermaid(job.name))\"]\n"
            }
            for j in 0..<graph.count {
                for d in graph.dependencies[j] { text += "  n\(d) --> n\(j)\n" }
            }
            return text
        }
    }

    private static func quoteDot(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }

    private static func escapeMermaid(_ s: String) -> String {
        // Mermaid labels take HTML entities; quotes and angle brackets would end or break the label.
        var out = ""
        for c in s {
            switch c {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "\n": out += " "
            default: out.append(c)
            }
        }
        return out
    }
}
