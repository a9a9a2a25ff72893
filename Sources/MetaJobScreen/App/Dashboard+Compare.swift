import MetaJobCore

extension Dashboard {
    // MARK: - What changed since the previous run

    /// Asks for the shown past run's comparison with the run before it (when opened, and once more when a run
    /// seen going in another process has ended).
    mutating func comparisonRequest(openWhenAnswered: Bool) -> [DashboardEffect] {
        guard showingPast, let run = past else { return [] }
        comparisonPane = ComparisonPane()
        comparisonPane.openWhenAnswered = openWhenAnswered
        return [.loadComparison(runId: run.runId)]
    }

    /// The comparison arrived: keep it, and show it if the run was just opened.
    mutating func comparisonAnswered(runId: String, _ comparison: RunComparison?) {
        guard showingPast, let run = past, run.runId == runId else { return }
        let open = comparisonPane.openWhenAnswered
        let changedOnly = comparisonPane.changedOnly
        comparisonPane = ComparisonPane(comparison, run: run, order: graphPane.jobList.jobs)
        comparisonPane.changedOnly = changedOnly
        comparisonPane.rebuild(order: graphPane.jobList.jobs)
        if open && comparison != nil && screen == .run { graphMode = .changes }
    }

    /// `C`: opens the comparison; inside it, lists only the changed jobs or all of them again.
    mutating func compareKey() -> [DashboardEffect] {
        guard let run = shownRun, run.isPast else {
            status = StatusMessage(text: "C compares a past run with the run before it: open one from the history (H)", role: .warning)
            return []
        }
        comparisonPane.openWhenAnswered = false
        guard comparisonPane.answered else {
            status = StatusMessage(text: "reading the run before this one...", role: .dim)
            return []
        }
        guard comparisonPane.comparison != nil else {
            status = StatusMessage(text: "no earlier run of \(run.metaJobName) in the history to compare with", role: .warning)
            return []
        }
        if graphMode != .changes {
            graphMode = .changes
            return []
        }
        comparisonPane.changedOnly.toggle()
        comparisonPane.rebuild(order: graphPane.jobList.jobs)
        if comparisonPane.changedOnly, !comparisonPane.jobs.contains(selectedJob), let first = comparisonPane.jobs.first {
            return select(first)
        }
        return []
    }

    /// The next job up or down in the left pane's list (the comparison's own list when it is shown).
    func listStep(from job: Int, by step: Int) -> Int? {
        graphMode == .changes ? comparisonPane.step(from: job, by: step) : graphPane.jobList.step(from: job, by: step)
    }

    /// The jobs the left pane lists, in order (Home/End go to the ends).
    var listedJobs: [Int] { graphMode == .changes ? comparisonPane.jobs : graphPane.jobList.jobs }
}
