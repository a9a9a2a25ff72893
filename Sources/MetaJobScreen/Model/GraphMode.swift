/// What the left pane shows: the DAG drawing, the job list (`l`), the timeline (`t`) or, for a past run, what
/// changed since the run before it (`C`).
public enum GraphMode: Sendable, Equatable {
    case dag, list, timeline, changes
}
