import MetaJobCore

/// The run a dashboard shows live: one started here (`PreparedRun`) or one of another process it attached to
/// (`AttachedRun`). The dashboard loop holds only this, so it does not care where the run lives.
protocol ShownRun: AnyObject, Sendable {
    /// How the dashboard watches and steers the run.
    var connection: RunConnection { get }
    /// The run's id.
    var runId: String { get }
    /// True when the run lives in another process: leaving detaches instead of stopping it.
    var isAttached: Bool { get }
    /// True when quitting may leave the run going without this dashboard (`BackgroundRun`).
    var canDetach: Bool { get }
    /// Leaves the run going without this dashboard (only when `canDetach`).
    func detach()
    /// What to tell the user when it is shown.
    var warnings: [String] { get }
    /// Starts the run (nothing for a run that is already going elsewhere).
    func start()
    /// The dashboard is done with the run: ends its recording (here) or the connection (attached). Returns a
    /// warning to show, if any.
    func closeRecording() -> String?
    /// Writes what the recording still buffers, before the dashboard reads this run's rows back (`s`). An
    /// attached run is recorded by the process that runs it: nothing to flush here.
    func flushRecording()
    /// Sends the run's notifications once it ended and returns what to tell the user about failed ones. The
    /// process that runs the run sends them: an attached dashboard sends none.
    func notify(exitCode: CLIExit) -> String
    /// The run as it is now.
    func finalSnapshot() -> RunSnapshot
    /// Seconds the run has been going.
    var elapsed: Double { get }
    /// The exit code for the dashboard session.
    func exitCode(signal: Int32) -> CLIExit
}
