extension RunDetail {
    /// Each job's `depends_on` (by job, in the run's order) from the definition stored with the run; nil when
    /// it no longer parses or names other jobs. Parsing is work: call it where history is read, never on a UI queue.
    public func storedDependencies() -> [[String]]? {
        guard case .success(let definition) = DefinitionLoader.load(bytes: definitionText, path: definitionPath),
              definition.jobs.map(\.name) == jobs.map(\.name) else { return nil }
        return definition.jobs.map(\.dependsOn)
    }
}
