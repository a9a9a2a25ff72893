import MetaJobCore

/// The job list: jobs grouped by level, in definition order within a level, optionally filtered by name.
/// Built when the graph or the filter changes; `rowOf` finds a job's row without scanning.
struct JobList: Sendable {
    private(set) var rows: [ListRow] = []
    private(set) var rowOf: [Int] = []
    /// Jobs in row order (headings left out): the order of the timeline and of list navigation.
    private(set) var jobs: [Int] = []
    /// Each job's index in `jobs`, -1 when filtered out.
    private(set) var positionOf: [Int] = []

    init() {}

    init(graph: JobGraph, names: [String], filter: String) {
        let needle = filter.lowercased()
        var byLevel = [[Int]](repeating: [], count: graph.depth)
        for j in 0..<graph.count where needle.isEmpty || names[j].lowercased().contains(needle) {
            byLevel[graph.levels[j]].append(j)
        }
        rowOf = [Int](repeating: -1, count: graph.count)
        positionOf = rowOf
        for (level, members) in byLevel.enumerated() where !members.isEmpty {
            rows.append(.level(level, jobs: members.count))
            for j in members {
                rowOf[j] = rows.count
                positionOf[j] = jobs.count
                rows.append(.job(j))
                jobs.append(j)
            }
        }
    }

    /// The next visible job after/before `job` in row order.
    func step(from job: Int, by step: Int) -> Int? {
        guard rowOf.indices.contains(job), rowOf[job] >= 0 else { return jobs.first }
        var r = rowOf[job] + step
        while rows.indices.contains(r) {
            if case .job(let j) = rows[r] { return j }
            r += step
        }
        return nil
    }
}
