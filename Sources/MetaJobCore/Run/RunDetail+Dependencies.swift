extension RunDetail {
    /// Each job's `depends_on` (by job, in the run's order) as the history stored it when the run started, so
    /// showing a past run never re-parses its definition.
    public func storedDependencies() -> [[String]]? {
        jobs.map(\.dependsOn)
    }
}
