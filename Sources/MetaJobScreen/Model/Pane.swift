/// The panes of the run layout; `Tab` cycles them, the focused one takes the movement keys.
public enum Pane: Sendable, Equatable, CaseIterable {
    case graph, details, logs
}
