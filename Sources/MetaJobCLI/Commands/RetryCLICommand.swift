import ArgumentParser
import Foundation
import MetaJobCore

/// `metajob retry RUN [JOB] [--downstream]`: runs a job of a live run again, or every failed job.
struct RetryCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Retry a failed job of a live run (no JOB: every failed job).",
        discussion: "Exit codes: 0 the run took the retry, 1 it refused (the job is not failed, cancelled or not run), 2 no such live run or job. For a run that has ended, use `metajob resume RUN`.")

    @OptionGroup var options: ControlCommandOptions
    @Argument(help: "The job to retry (default: every failed job).") var job: String?
    @Flag(name: .long, help: "Also run everything downstream of JOB again, successful jobs included.") var downstream = false

    func validate() throws {
        if downstream && job == nil { throw ValidationError("--downstream needs a JOB.") }
    }

    func run() throws {
        let live = try LiveRun.connect(options.runID, store: try options.history.open(Environment(ProcessInfo.processInfo.environment)), client: "cli")
        guard let job else {
            return try live.perform(.retryFailed, done: "retrying every failed job")
        }
        let index = try live.job(job)
        if downstream {
            try live.perform(.retryDownstream(job: index), done: "retrying \(job) and everything downstream of it")
        } else {
            try live.perform(.retry(job: index), done: "retrying \(job)")
        }
    }
}
