import MetaJobCore

/// Where every job of the DAG sits on screen: one column per dependency level, jobs stacked in it, edges
/// routed through the gaps between columns. Computed once per graph (not per frame); an edge that skips
/// levels passes through placeholder rows (Sugiyama's dummy nodes) so every edge joins neighbouring columns.
struct DagLayout: Sendable {
    static let columnWidth = 20
    static let gapWidth = 4
    /// Rows per item: two text rows and a blank one.
    static let pitch = 3
    /// Beyond this many placeholders, edges that skip levels are not drawn (lists stay usable on huge DAGs).
    static let maxDummies = 20_000
    /// Beyond this many jobs the DAG is not drawn (routing grows with the square of a level's width); the
    /// list and the timeline show any size.
    static let maxJobs = 2_000

    /// Items per column, top to bottom: a job index, or -1 for a placeholder row of a long edge.
    private(set) var columns: [[Int]] = []
    private(set) var jobColumn: [Int] = []
    private(set) var jobIndex: [Int] = []
    /// For each job, the edges into it: the dependency and the hops the edge takes.
    private(set) var edgesInto: [[(from: Int, hops: [EdgeHop])]] = []
    /// For each column c ≥ 1, the gap left of it: `EdgeMask` bits per cell, `gapWidth` per row.
    private(set) var gaps: [[UInt8]] = []

    init() {}

    init(_ graph: JobGraph) {
        let n = graph.count
        let depth = n == 0 ? 0 : (graph.levels.max() ?? 0) + 1
        // Items: jobs first (item id = job index), then placeholders.
        var itemColumn = graph.levels
        var itemPreds = [[Int]](repeating: [], count: n)
        var chains = [[(from: Int, items: [Int])]](repeating: [], count: n)
        var dummies = 0
        let longEdges = (0..<n).reduce(0) { total, v in
            total + graph.dependencies[v].reduce(0) { $0 + max(0, graph.levels[v] - graph.levels[$1] - 1) }
        }
        let drawLong = longEdges <= DagLayout.maxDummies
        for v in 0..<n {
            for u in graph.dependencies[v] {
                let span = graph.levels[v] - graph.levels[u]
                if span > 1 && !drawLong { continue }
                var items = [u]
                var previous = u
                for level in stride(from: graph.levels[u] + 1, to: graph.levels[v], by: 1) {
                    let id = n + dummies
                    dummies += 1
                    itemColumn.append(level)
                    itemPreds.append([previous])
                    items.append(id)
                    previous = id
                }
                itemPreds[v].append(previous)
                items.append(v)
                chains[v].append((u, items))
            }
        }
        // Order: column 0 as defined; each next column by the mean position of its items' predecessors.
        var position = [Int](repeating: 0, count: itemColumn.count)
        var columns = [[Int]](repeating: [], count: depth)
        for id in itemColumn.indices { columns[itemColumn[id]].append(id) }
        for c in columns.indices {
            if c > 0 {
                let keys = columns[c].map { id -> Double in
                    let preds = itemPreds[id]
                    return preds.isEmpty ? Double(id) : Double(preds.reduce(0) { $0 + position[$1] }) / Double(preds.count)
                }
                let order = columns[c].indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : columns[c][$0] < columns[c][$1] }
                columns[c] = order.map { columns[c][$0] }
            }
            for (k, id) in columns[c].enumerated() { position[id] = k }
        }
        self.columns = columns.map { $0.map { $0 < n ? $0 : -1 } }
        jobColumn = Array(itemColumn.prefix(n))
        jobIndex = Array(position.prefix(n))
        edgesInto = chains.map { edges in
            edges.map { edge in
                (edge.from, zip(edge.items, edge.items.dropFirst()).map { a, b in
                    EdgeHop(column: itemColumn[b], sourceIndex: position[a], targetIndex: position[b], intoJob: b < n)
                })
            }
        }
        var gaps = [[UInt8]](repeating: [], count: depth)
        for c in columns.indices where c > 0 {
            let rows = max(columns[c].count, columns[c - 1].count) * DagLayout.pitch
            gaps[c] = [UInt8](repeating: 0, count: rows * DagLayout.gapWidth)
        }
        for edges in edgesInto {
            for edge in edges {
                for hop in edge.hops {
                    DagLayout.cells(of: hop) { x, y, bits in gaps[hop.column][y * DagLayout.gapWidth + x] |= bits }
                }
            }
        }
        self.gaps = gaps
    }

    /// The cells a hop covers in its gap: `(x in 0..<gapWidth, row, EdgeMask bits)`.
    static func cells(of hop: EdgeHop, _ body: (Int, Int, UInt8) -> Void) {
        let sy = hop.sourceIndex * pitch, ty = hop.targetIndex * pitch
        body(0, sy, EdgeMask.left | EdgeMask.right)
        if sy == ty {
            body(1, sy, EdgeMask.left | EdgeMask.right)
        } else {
            let down = ty > sy
            body(1, sy, EdgeMask.left | (down ? EdgeMask.down : EdgeMask.up))
            for y in stride(from: min(sy, ty) + 1, to: max(sy, ty), by: 1) { body(1, y, EdgeMask.up | EdgeMask.down) }
            body(1, ty, (down ? EdgeMask.up : EdgeMask.down) | EdgeMask.right)
        }
        body(2, ty, EdgeMask.left | EdgeMask.right)
        body(3, ty, EdgeMask.left | EdgeMask.right | (hop.intoJob ? EdgeMask.arrow : 0))
    }

    /// Left edge of column `c` in layout coordinates.
    static func x(ofColumn c: Int) -> Int { c * (columnWidth + gapWidth) }

    /// Total size in layout coordinates.
    var width: Int { columns.isEmpty ? 0 : DagLayout.x(ofColumn: columns.count - 1) + DagLayout.columnWidth }
    var height: Int { (columns.map(\.count).max() ?? 0) * DagLayout.pitch }

    /// The job above/below `job` in its column (placeholders skipped), or nil at the end.
    func vertical(from job: Int, by step: Int) -> Int? {
        let column = columns[jobColumn[job]]
        var k = jobIndex[job] + step
        while column.indices.contains(k) {
            if column[k] >= 0 { return column[k] }
            k += step
        }
        return nil
    }

    /// The job in the neighbouring column nearest to `job`'s row, or nil at the edge.
    func horizontal(from job: Int, by step: Int) -> Int? {
        let c = jobColumn[job] + step
        guard columns.indices.contains(c) else { return nil }
        let row = jobIndex[job]
        var best: Int?
        var distance = Int.max
        for (k, id) in columns[c].enumerated() where id >= 0 && abs(k - row) < distance {
            best = id
            distance = abs(k - row)
        }
        return best
    }
}
