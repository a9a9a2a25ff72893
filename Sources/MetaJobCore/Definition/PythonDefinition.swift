/// A VDK DAG step (`.py`) as a definition: its job list, read natively when it is a literal, else evaluated.
enum PythonDefinition {
    /// The job list of the step in `body` as a tree, or the issue that says why there is none.
    static func parse(_ body: UnsafeBufferPointer<UInt8>, source: DefinitionSource) -> Result<DefinitionNode?, ValidationIssue> {
        switch PythonJobList.find(body) {
        case .literal(let node):
            return .success(node)
        case .syntax(let error):
            return .failure(DefinitionLoader.syntaxIssue(error, format: "Python"))
        case .missing:
            return .failure(ValidationIssue(
                kind: .requirement,
                reason: "The Python file has no job list: no `run_dag(...)` call and no `JOBS_RUN_ORDER = [...]`.",
                countermeasure: "Give the VDK DAG step that calls `DagInput().run_dag(JOBS_RUN_ORDER)`, "
                    + "or a YAML/JSON meta job definition.",
                line: 1))
        case .code(let line):
            guard let evaluate = source.evaluatePython else {
                return .failure(ValidationIssue(
                    kind: .syntax,
                    reason: "The job list at line \(line) is built by code, not written as a literal, and cannot be evaluated here.",
                    countermeasure: "Write the list as a literal (`JOBS_RUN_ORDER = [{...}, ...]`), or run metajob "
                        + "with python3 on PATH so it can evaluate the step.",
                    line: line))
            }
            switch evaluate(line) {
            case .failure(let issue): return .failure(issue)
            case .success(let literal):
                let read: Result<DefinitionNode, PythonLiteralReader.Failure> = literal.withUnsafeBufferPointer { buffer in
                    do throws(PythonLiteralReader.Failure) {
                        return .success(try PythonLiteralReader.read(buffer))
                    } catch {
                        return .failure(error)
                    }
                }
                guard case .success(var node) = read else {
                    return .failure(ValidationIssue(
                        kind: .syntax,
                        reason: "Python evaluated the job list at line \(line), but its value could not be read back.",
                        countermeasure: "Use only lists, dicts, strings, numbers, True/False and None in the job list.",
                        line: line))
                }
                // Every value comes from the code at `line`: issues point there.
                relocate(&node, line: line)
                return .success(node)
            }
        }
    }

    private static func relocate(_ node: inout DefinitionNode, line: Int) {
        node.line = Int32(clamping: line)
        node.column = 1
        switch node.content {
        case .sequence(var items):
            for i in items.indices { relocate(&items[i], line: line) }
            node.content = .sequence(items)
        case .mapping(var entries):
            for i in entries.indices {
                relocate(&entries[i].key, line: line)
                relocate(&entries[i].value, line: line)
            }
            node.content = .mapping(entries)
        default: break
        }
    }
}
