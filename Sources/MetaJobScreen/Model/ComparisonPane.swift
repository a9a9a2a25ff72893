import MetaJobCore

/// The past run's comparison with the run before it (`C`): each job's row, the jobs only the earlier run had,
/// and whether only the changed jobs are listed. A run put on screen starts with an empty one.
struct ComparisonPane: Sendable {
    /// The comparison of the shown past run; nil until it arrives, or when there is no earlier run.
    var comparison: RunComparison?
    /// The comparison was answered (so nil means "no earlier run", not "not loaded").
    var answered = false
    /// Open the comparison when it arrives (the run was just opened and nothing else was chosen yet).
    var openWhenAnswered = false
    /// Each shown job's row, by job index.
    var rowOf: [JobComparison?] = []
    /// Jobs the earlier run had and this one does not.
    var removed: [JobComparison] = []
    /// List only the jobs that changed (`C` in the comparison).
    var changedOnly = false
    /// The jobs listed, in the job list's order.
    var jobs: [Int] = []

    init() {}

    /// The pane for `comparison` of `run`, listing jobs in `order`.
    init(_ comparison: RunComparison?, run: RunView, order: [Int]) {
        self.comparison = comparison
        answered = true
        rowOf = [JobComparison?](repeating: nil, count: run.graph.count)
        var index: [String: Int] = [:]
        for (j, name) in run.graph.names.enumerated() { index[name] = j }
        for row in comparison?.jobs ?? [] {
            if row.presence == .removed { removed.append(row) } else if let j = index[row.name] { rowOf[j] = row }
        }
        rebuild(order: order)
    }

    /// Lists the jobs of `order` the `changedOnly` switch keeps.
    mutating func rebuild(order: [Int]) {
        jobs = order.filter { j in !changedOnly || (rowOf.indices.contains(j) && rowOf[j]?.changed == true) }
    }

    /// How many jobs of the shown run changed.
    var changedCount: Int { rowOf.reduce(0) { $0 + ($1?.changed == true ? 1 : 0) } }

    /// The listed job `step` rows after (or before) `job`; the first listed when `job` is not listed.
    func step(from job: Int, by step: Int) -> Int? {
        guard let i = jobs.firstIndex(of: job) else { return jobs.first }
        let k = i + step
        return jobs.indices.contains(k) ? jobs[k] : nil
    }
}
