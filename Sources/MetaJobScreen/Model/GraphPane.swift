/// The left pane's layouts of the shown run: the DAG (laid out when first shown), the job list and its
/// filter, and the selection's neighbourhood. A run put on screen starts with a fresh one.
struct GraphPane: Sendable {
    var layout = DagLayout()
    /// `layout` belongs to the shown run (built when the DAG is first shown, not for every run opened).
    var layoutReady = false
    var jobList = JobList()
    var listFilter = ""
    /// Upstream and downstream of the selection, per job (highlighted in the DAG).
    var upstream: [Bool] = []
    var downstream: [Bool] = []
    /// The same as lists, so a frame touches only the selection's neighbourhood.
    var upstreamJobs: [Int] = []
    var downstreamJobs: [Int] = []
}
