import MetaJobCore

extension Runner {
    /// Tells the executors which jobs (graph indices) someone is looking at now — the dashboard's selection,
    /// an attached viewer, `--logs` — replacing the set given before. A watched remote job's new log lines
    /// arrive while it runs (at least every 5 s); an unwatched one's at its end. Any thread.
    public func setWatched(jobs: Set<Int>) {
        queue.async {
            for executor in self.executors.values { executor.setWatched(jobs: jobs) }
        }
    }
}
