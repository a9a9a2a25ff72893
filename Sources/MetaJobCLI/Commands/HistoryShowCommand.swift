import ArgumentParser
import Foundation
import MetaJobHistory
import MetaJobScreen

/// `metajob history show RUN`: one run and each of its jobs.
struct HistoryShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run and each of its jobs.")

    @OptionGroup var history: HistoryOptions
    @Argument(help: ArgumentHelp("The run id, or any unique prefix of it.", valueName: "run")) var runID: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let store = try history.open(Environment(ProcessInfo.processInfo.environment))
        let detail = try HistoryFormat.attempt { try store.run(runID) }
        if json {
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
}
