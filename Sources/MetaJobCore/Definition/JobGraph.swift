/// The dependency graph of a valid meta job, by job index (the jobs' order in the definition).
///
/// Built once; the state machine reads it on every event, so adjacency is kept as flat index arrays.
public struct JobGraph: Sendable {
    /// Job names by index.
    public let names: [String]
    /// Index of each job name.
    public let index: [String: Int]
    /// For each job, the jobs it depends on (deduplicated).
    public let dependencies: [[Int]]
    /// For each job, the jobs that depend on it.
    public let dependents: [[Int]]
    /// For each job, its level: 0 for jobs without dependencies, else 1 + the highest level of its dependencies.
    public let levels: [Int]

    /// Number of dependency edges.
    public var edgeCount: Int { dependencies.reduce(0) { $0 + $1.count } }
    /// Number of levels (0 for an empty graph).
    public var depth: Int { (levels.max() ?? -1) + 1 }
    /// Number of jobs.
    public var count: Int { names.count }

    /// Builds the graph of `definition`, which must be valid (unique names, known dependencies, no cycle).
    public init(_ definition: MetaJobDefinition) {
        self.init(names: definition.jobs.map(\.name), dependsOn: definition.jobs.map(\.dependsOn))
    }

    /// Builds the graph from names and their dependency lists; unknown names are ignored.
    public init(names: [String], dependsOn: [[String]]) {
        var index = [String: Int](minimumCapacity: names.count)
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        var dependencies = [[Int]](repeating: [], count: names.count)
        var dependents = [[Int]](repeating: [], count: names.count)
        for (i, deps) in dependsOn.enumerated() {
            var seen = Set<Int>()
            for dep in deps {
                guard let d = index[dep], seen.insert(d).inserted else { continue }
                dependencies[i].append(d)
                dependents[d].append(i)
            }
        }
        self.names = names
        self.index = index
        self.dependencies = dependencies
        self.dependents = dependents
        self.levels = JobGraph.computeLevels(dependencies: dependencies, dependents: dependents)
    }

    /// Every job downstream of `roots` (not including the roots themselves unless reachable from another root).
    public func downstream(of roots: [Int]) -> [Int] {
        var seen = [Bool](repeating: false, count: count)
        var stack = roots
        var out: [Int] = []
        while let j = stack.popLast() {
            for d in dependents[j] where !seen[d] {
                seen[d] = true
                out.append(d)
                stack.append(d)
            }
        }
        return out
    }

    /// Every job upstream of `job`.
    public func upstream(of job: Int) -> [Int] {
        var seen = [Bool](repeating: false, count: count)
        var stack = [job]
        var out: [Int] = []
        while let j = stack.popLast() {
            for d in dependencies[j] where !seen[d] {
                seen[d] = true
                out.append(d)
                stack.append(d)
            }
        }
        return out
    }

    /// Kahn's algorithm; jobs on a cycle keep level 0 (validation rejects cycles before a graph is used).
    private static func computeLevels(dependencies: [[Int]], dependents: [[Int]]) -> [Int] {
        var remaining = dependencies.map(\.count)
        var levels = [Int](repeating: 0, count: dependencies.count)
        var ready = remaining.indices.filter { remaining[$0] == 0 }
        var cursor = 0
        while cursor < ready.count {
            let j = ready[cursor]
            cursor += 1
            for d in dependents[j] {
                levels[d] = max(levels[d], levels[j] + 1)
                remaining[d] -= 1
                if remaining[d] == 0 { ready.append(d) }
            }
        }
        return levels
    }

    /// The cycles in the graph, each as a path of job indices that starts and ends at the same job
    /// (`[a, b, a]`). Each strongly connected component with a cycle yields one path; a self-dependency is `[a, a]`.
    public static func findCycles(names: [String], dependsOn: [[String]]) -> [[String]] {
        let graph = JobGraph(names: names, dependsOn: dependsOn)
        return graph.cycles().map { $0.map { names[$0] } }
    }

    /// Cycles as index paths; iterative Tarjan so deep graphs do not overflow the stack.
    func cycles() -> [[Int]] {
        let n = count
        var indexOf = [Int](repeating: -1, count: n)
        var low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int] = []
        var counter = 0
        var result: [[Int]] = []
        for start in 0..<n where indexOf[start] == -1 {
            var work: [(node: Int, edge: Int)] = [(start, 0)]
            indexOf[start] = counter; low[start] = counter; counter += 1
            stack.append(start); onStack[start] = true
            while !work.isEmpty {
                let (v, e) = work[work.count - 1]
                if e < dependencies[v].count {
                    work[work.count - 1].edge += 1
                    let w = dependencies[v][e]
                    if indexOf[w] == -1 {
                        indexOf[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], indexOf[w])
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last { low[parent.node] = min(low[parent.node], low[v]) }
                    if low[v] == indexOf[v] {
                        var component: [Int] = []
                        while true {
                            let w = stack.removeLast()
                            onStack[w] = false
                            component.append(w)
                            if w == v { break }
                        }
                        if component.count > 1 || dependencies[v].contains(v) {
                            result.append(cyclePath(in: Set(component), from: component.min()!))
                        }
                    }
                }
            }
        }
        return result.sorted { $0[0] < $1[0] }
    }

    /// A shortest cycle through `from` inside one strongly connected component (BFS along dependencies).
    private func cyclePath(in component: Set<Int>, from: Int) -> [Int] {
        if dependencies[from].contains(from) { return [from, from] }
        var parent: [Int: Int] = [:]
        var queue = [from]
        var cursor = 0
        while cursor < queue.count {
            let v = queue[cursor]
            cursor += 1
            for w in dependencies[v] where component.contains(w) {
                if w == from {
                    // Walk the BFS parents back from v to `from`: that is the path in reverse.
                    var reversed = [v]
                    var x = v
                    while x != from { x = parent[x]!; reversed.append(x) }
                    return reversed.reversed() + [from]
                }
                if parent[w] == nil && w != from {
                    parent[w] = v
                    queue.append(w)
                }
            }
        }
        return [from, from]
    }
}
