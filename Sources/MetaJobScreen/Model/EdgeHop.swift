/// One piece of an edge between two neighbouring columns of the DAG: from a row in column `column - 1` to a
/// row in `column` (rows are item indexes within their column).
struct EdgeHop: Sendable, Equatable {
    var column: Int
    var sourceIndex: Int
    var targetIndex: Int
    /// The target is a job (an arrow head), not a placeholder row of a longer edge.
    var intoJob: Bool
}
