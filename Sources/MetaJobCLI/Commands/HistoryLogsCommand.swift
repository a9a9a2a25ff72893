import ArgumentParser
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobScreen

/// `metajob history logs RUN JOB`: one attempt's output, bytes as written.
struct HistoryLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a job's output from a run (default: its last attempt).",
        discussion: "Bytes are written exactly as the job wrote them when stdout is a file or a pipe; on a terminal, control characters and invalid UTF-8 are shown escaped.")

    @OptionGroup var history: HistoryOptions
    @Argument(help: ArgumentHelp("The run id, or any unique prefix of it.", valueName: "run")) var runID: String
    @Argument(help: "The job name.") var job: String
    @Option(name: .long, help: "Which attempt (default: the last).") var attempt: Int?
    @Flag(name: .long, help: "Keep printing new lines while the run is in progress (in another process).") var follow = false

    func run() throws {
        let store = try history.open(Environment(ProcessInfo.processInfo.environment))
        let detail = try HistoryFormat.attempt { try store.run(runID) }
        guard let record = detail.jobs.first(where: { $0.name == job }) else {
            CLIOutput.error("run \(detail.summary.runId) has no job named \(job). Its jobs: \(detail.jobs.prefix(20).map(\.name).joined(separator: ", "))\(detail.jobs.count > 20 ? ", …" : "").")
            throw CLIExit.invalid
        }
        if let attempt, attempt < 1 || attempt > max(1, record.attempts) {
            CLIOutput.error("job \(job) of run \(detail.summary.runId) has \(record.attempts) attempt\(record.attempts == 1 ? "" : "s"); --attempt must be between 1 and \(max(1, record.attempts)).")
            throw CLIExit.invalid
        }
        let raw = isatty(1) == 0
        let out = OutputWriter(fd: 1)
        var last: Int64 = 0
        let runId = detail.summary.runId
        // Everything recorded after `last`, a few megabytes at a time: a gigabyte log is never held whole.
        func emitRecorded() throws {
            while true {
                let lines = try HistoryFormat.attempt {
                    try store.logs(runId: runId, job: job, attempt: attempt, after: last, maxBytes: 4 << 20)
                }
                if lines.isEmpty { return }
                for line in lines {
                    if raw { out.write(bytes: line.bytes) } else { out.write(TerminalSanitizer.sanitize(line.bytes)) }
                    // Raw output gives back the bytes exactly: no newline where the job wrote none.
                    if line.terminated || !raw { out.write("\n") }
                    last = max(last, line.sequence)
                }
                out.flush()
            }
        }
        try emitRecorded()
        guard follow else { return }
        // Another process owns the run: poll the file (WAL readers never block its writer).
        while true {
            let state = try HistoryFormat.attempt { try store.run(runId).summary.state }
            try emitRecorded()
            if state != .running { return }
            usleep(200_000)
        }
    }
}
