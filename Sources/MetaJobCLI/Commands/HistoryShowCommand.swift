import ArgumentParser
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobScreen

/// `metajob history show RUN [--compare [OTHER]]`: one run and each of its jobs; with `--compare`, what changed
/// since the previous run of its meta job (or since OTHER).
struct HistoryShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a run and each of its jobs.",
        discussion: "With --compare, each job is set beside the same job in the previous run of the meta job (or in OTHER): status changes and durations that moved beyond ±25 % and ±5 s.")

    @OptionGroup var history: HistoryOptions
    @Argument(help: ArgumentHelp("The run id, or any unique prefix of it.", valueName: "run")) var runID: String
    @Argument(help: ArgumentHelp("With --compare: the run to compare with (default: the previous run of the same meta job).",
                                 valueName: "other")) var otherID: String?
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Option(name: .long, help: "plain or json (the same as --json).") var output: OutputFormat?
    @Flag(name: .long, help: "Show what changed since the previous run of the meta job (or since OTHER).") var compare = false

    func validate() throws {
        if otherID != nil && !compare { throw ValidationError("a second run id is only taken with --compare") }
    }

    func run() throws {
        let store = try history.open(Environment(ProcessInfo.processInfo.environment))
        let asJSON = json || output == .json
        if compare { return try printComparison(store, asJSON: asJSON) }
        let detail = try HistoryFormat.attempt { try store.run(runID) }
        if asJSON {
            CLIOutput.stdout(HistoryFormat.json(detail) + "\n")
            return
        }
        let s = detail.summary
        var text = "run \(s.runId): \(s.metaJob) \(s.state.rawValue)\n"
        text += "  started  \(HistoryFormat.localTime(s.startedAt)) by \(detail.startedBy) on \(detail.host) (pid \(detail.pid))\n"
        if let ended = s.endedAt { text += "  ended    \(HistoryFormat.localTime(ended)) after \(TimeFormat.duration(max(0, ended - s.startedAt)))\n" }
        if let from = s.resumedFrom { text += "  resumes  \(from)\n" }
        if let by = s.resumedBy { text += "  resumed  by \(by)\n" }
        for gap in detail.recordingGaps { text += "  not recorded: \(gap)\n" }
        if let path = detail.definitionPath { text += "  file     \(path)\n" }
        text += "  jobs     \(HistoryFormat.counts(s.jobCounts))\n\n"
        var rows = [["JOB", "STATUS", "ATTEMPTS", "STARTED", "DURATION", "EXIT", "REASON"]]
        for job in detail.jobs {
            var status = job.state
            if let from = job.reusedFrom { status += " (reused from \(from))" }
            let duration = job.startedAt.flatMap { start in job.endedAt.map { TimeFormat.duration(max(0, $0 - start)) } } ?? "-"
            rows.append([job.name, status, String(job.attempts), job.startedAt.map(TimeFormat.clock) ?? "-", duration,
                         job.exitCode.map { String($0) } ?? "-", job.reason ?? ""])
        }
        text += HistoryFormat.table(rows)
        // How its notifications went (a failed hook never changed the run's outcome, so it is told here).
        let notifications = (try? store.notifications(runId: s.runId)) ?? []
        if !notifications.isEmpty { text += "\n" }
        for n in notifications {
            text += "  notified \(n.hook) (\(n.target)): \(n.ok ? "ok" : "FAILED"), \(n.detail)\n"
        }
        // Commands from other processes (attached dashboards, control verbs): who retried what.
        let requests = (try? store.requests(runId: s.runId)) ?? []
        if !requests.isEmpty {
            text += "\ncontrolled from outside:\n"
            for r in requests {
                text += "  \(TimeFormat.clock(r.time))  \(r.command) by \(r.user) (\(r.client))" + (r.refused.map { ": refused, \($0)" } ?? "") + "\n"
            }
        }
        CLIOutput.stdout(TerminalSanitizer.sanitizeText(text))
    }

    private func printComparison(_ store: HistoryStore, asJSON: Bool) throws {
        let found = try HistoryFormat.attempt { try store.comparison(of: runID, with: otherID) }
        guard let comparison = found else {
            let run = try HistoryFormat.attempt { try store.run(runID) }.summary
            CLIOutput.error("run \(run.runId) is the first run of \(run.metaJob) in the history: nothing to compare it with. Name another run: metajob history show \(run.runId) --compare OTHER")
            throw CLIExit.invalid
        }
        if asJSON {
            CLIOutput.stdout(HistoryFormat.json(comparison) + "\n")
        } else {
            CLIOutput.stdout(TerminalSanitizer.sanitizeText("run \(comparison.runId) " + HistoryFormat.text(comparison)))
        }
    }
}
