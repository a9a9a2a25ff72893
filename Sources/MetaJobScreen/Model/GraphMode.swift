/// What the left pane shows: the DAG drawing, the job list (`l`) or the timeline (`t`).
public enum GraphMode: Sendable, Equatable {
    case dag, list, timeline
}
