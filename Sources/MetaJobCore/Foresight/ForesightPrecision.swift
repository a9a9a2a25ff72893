/// How far an expected end can be trusted.
public enum ForesightPrecision: String, Sendable, Equatable {
    /// Every job left has an estimate: the end is the expected end ("12:40, 25m left").
    case expected
    /// Some job left has no estimate (or is overdue) and was counted as taking no time, yet the known jobs
    /// (or a delay deadline) still take time: the end is a lower bound ("≥ 12:40").
    case atLeast
    /// Some job left has no estimate and nothing known takes any time: there is no number to show.
    case none
}
