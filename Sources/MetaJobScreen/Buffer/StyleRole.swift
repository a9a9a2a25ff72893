/// What a cell means, not how it looks: a theme maps each role to colours and attributes.
///
/// Views only ever name roles, so a theme (or the mono/ASCII fallbacks) restyles every view at once.
public enum StyleRole: UInt8, Sendable, CaseIterable, Hashable {
    case normal
    /// Secondary text: timestamps, hints, disabled items.
    case dim
    /// The header bar at the top.
    case header
    /// The footer bar with the keys that apply now.
    case footer
    /// A key name inside the footer or help (`q`, `Enter`).
    case key
    /// Pane borders and titles.
    case border
    /// The border and title of the focused pane.
    case borderFocused
    /// The selected row or node.
    case selection
    /// Edges of the DAG.
    case edge
    /// Jobs and edges upstream of the selection.
    case upstream
    /// Jobs and edges downstream of the selection.
    case downstream
    /// A search hit in the logs.
    case searchHit
    /// The current search hit.
    case searchCurrent
    /// Warnings and confirmations ("quit while 3 jobs run?").
    case warning
    /// Errors (a command refused, history unreadable).
    case error
    /// Job output from stderr.
    case logStderr
    /// Jobs on the critical path of the remaining work (drawn with a glyph too, never colour alone).
    case critical
    /// A running job past the p90 of its past successes (drawn with a glyph and the word "overdue").
    case overdue
    /// Expected time not yet run: the timeline's expected bars, remaining-time hints.
    case expected
    // One role per job state, so colour always comes with a glyph and a word (never colour alone).
    case statePending
    case stateQueued
    case stateDelayed
    case stateSubmitted
    case stateRunning
    case stateSucceeded
    case stateUserError
    case statePlatformError
    case stateCancelled
    case stateSkipped
    case stateNotRun
}
