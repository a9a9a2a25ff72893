import ArgumentParser
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner

/// `metajob attach [RUN]`: the dashboard on a live run of this host, started anywhere (cron, CI, another
/// terminal); `q` detaches and the run goes on.
struct AttachCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Open the dashboard on a live run of this host (q detaches; the run goes on).",
        discussion: "Without RUN: the only live run. A run that has ended opens read-only from the history. Over ssh: `ssh -t host metajob attach`.")

    @OptionGroup var dashboard: DashboardOptions
    @OptionGroup var history: HistoryOptions
    @Argument(help: ArgumentHelp("The run id or a unique prefix (default: the only live run).", valueName: "run")) var runID: String?

    func run() throws {
        let environment = Environment(ProcessInfo.processInfo.environment)
        let store = try history.open(environment)
        let session = DashboardSession(options: try RunOptions.parse([]), dashboard: dashboard, history: history,
                                       environment: environment)
        let id: String
        if let runID {
            id = runID
        } else {
            let live = try HistoryFormat.attempt { try store.listRuns(limit: 200) }.filter(LiveRun.isLive)
            switch live.count {
            case 0:
                CLIOutput.error("no run is live on this host. `metajob history list` shows past runs; `metajob browse` opens them.")
                throw CLIExit.invalid
            case 1:
                id = live[0].runId
            default:
                // The chooser is the history browser: Enter on a live run attaches to it.
                guard DashboardSession.terminalAvailable(environment) else {
                    let list = live.map { "  \($0.runId)  \($0.metaJob)" }.joined(separator: "\n")
                    CLIOutput.error("\(live.count) runs are live on this host; name one: `metajob attach RUN`.\n" + list)
                    throw CLIExit.invalid
                }
                throw try session.browse()
            }
        }
        let detail = try HistoryFormat.attempt { try store.run(id) }
        guard LiveRun.isLive(detail.summary) else {
            if let path = detail.summary.controlSocket { ControlDirectory.removeIfStale(path) }
            throw try session.showEnded(runId: detail.summary.runId,
                                        note: "run \(detail.summary.runId) has ended (\(detail.summary.state.rawValue)): shown read-only from the history.")
        }
        throw try session.attach(try LiveRun.connect(id, store: store, client: "dashboard"))
    }
}
