import Foundation
import MetaJobCore

/// Runs a meta job the way the user's terminal calls for: the dashboard on a terminal, headless otherwise.
struct RunSession {
    var source: RunSource
    var options: RunOptions
    var dashboard: DashboardOptions
    var history: HistoryOptions
    var environment: Environment
    /// Variables the jobs get only in the dashboard (see `DashboardSession.dashboardOnly`).
    var dashboardOnly: [String: String] = [:]
    /// Set for a background copy (`run --detach`, or a dashboard's run): how long it lingers, and the leash.
    var background: BackgroundRole? = nil
    /// For a run the dashboard starts: seconds it stays attachable after it ends, once detached.
    var detachLinger = DashboardSession.defaultLinger

    /// True when this run opens the dashboard: stdin and stdout are terminals, TERM is set and not `dumb`,
    /// and neither `--no-tui` nor `--output json` asks for plain output.
    var opensDashboard: Bool {
        background == nil && !options.noTui && options.output == .plain && DashboardSession.terminalAvailable(environment)
    }

    /// Runs to the end and returns the exit code.
    func run() throws -> CLIExit {
        if opensDashboard {
            return try DashboardSession(options: options, dashboard: dashboard, history: history, environment: environment,
                                        dashboardOnly: dashboardOnly, detachLinger: detachLinger)
                .run(source: source)
        }
        return try HeadlessSession(source: source, options: options, history: history, environment: environment,
                                   background: background).run()
    }
}
