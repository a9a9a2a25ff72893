import ArgumentParser
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobScreen

/// `metajob history list`: past runs, newest first.
struct HistoryListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List past runs, newest first.")

    @OptionGroup var history: HistoryOptions
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Option(name: .long, help: "At most N runs (default 20).") var limit: Int = 20
    @Option(name: .long, help: "Only runs of this meta job.") var metaJob: String?
    @Option(name: .long, help: "Only runs in this state (running, succeeded, failed, cancelled, interrupted).") var state: String?
    @Flag(name: .long, help: "Only live runs of this host (ones `metajob attach` and the control verbs reach), with their state and counts.") var live = false

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1.") }
        let states = StoredRunState.allCases.map(\.rawValue)
        if let state, StoredRunState(rawValue: state) == nil {
            throw ValidationError("--state must be one of \(states.joined(separator: ", ")), not \(state).")
        }
    }

    func run() throws {
        let environment = Environment(ProcessInfo.processInfo.environment)
        let store = try history.open(environment)
        var runs = try HistoryFormat.attempt {
            // Live runs are the newest ones: a detached run that ended lingers a few minutes at most.
            try store.listRuns(limit: live ? max(limit, 200) : limit, metaJob: metaJob, state: state.flatMap(StoredRunState.init))
        }
        if live { runs = Array(runs.filter(LiveRun.isLive).prefix(limit)) }
        if json {
            CLIOutput.stdout("[" + runs.map(HistoryFormat.json).joined(separator: ",") + "]\n")
            return
        }
        if runs.isEmpty && live {
            CLIOutput.stdout("No run is live on this host (runs of \(store.path) that `metajob attach` can reach).\n")
            return
        }
        guard !runs.isEmpty else {
            CLIOutput.stdout("No runs recorded in \(store.path)" + (metaJob != nil || state != nil || live ? " match." : ". Run `metajob run FILE` or `metajob demo`.") + "\n")
            return
        }
        var rows = [["RUN", "META JOB", "STATE", "STARTED", "DURATION", "JOBS"]]
        for run in runs {
            rows.append([run.runId, run.metaJob, run.state.rawValue, HistoryFormat.localTime(run.startedAt),
                         run.endedAt.map { TimeFormat.duration(max(0, $0 - run.startedAt)) } ?? "-",
                         HistoryFormat.counts(run.jobCounts)])
        }
        CLIOutput.stdout(TerminalSanitizer.sanitizeText(HistoryFormat.table(rows)))
    }
}
