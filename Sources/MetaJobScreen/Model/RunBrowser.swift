import MetaJobCore

/// The history browser's list: past runs, the rows the filter keeps, the selection.
struct RunBrowser: Sendable {
    /// Past runs, newest first.
    var runs: [RunSummary] = []
    /// Indices into `runs` the filter keeps.
    var rows: [Int] = []
    var filter = ""
    /// The selected row.
    var selected = 0
    /// The list was asked for (so "no runs" means none, not "not loaded").
    var requested = false

    /// Applies the filter (meta job name contains it, or the state starts with it).
    mutating func rebuildRows() {
        let needle = filter.lowercased()
        rows = runs.indices.filter { i in
            needle.isEmpty || runs[i].metaJob.lowercased().contains(needle) || runs[i].state.rawValue == needle
                || runs[i].state.rawValue.hasPrefix(needle)
        }
        selected = min(selected, max(0, rows.count - 1))
    }
}
