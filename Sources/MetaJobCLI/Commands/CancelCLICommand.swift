import ArgumentParser
import Foundation

/// `metajob cancel RUN JOB`: cancels one job of a live run (a running one is terminated).
struct CancelCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job of a live run (a running job is terminated; a waiting one ends cancelled).")

    @OptionGroup var options: ControlCommandOptions
    @Argument(help: "The job to cancel.") var job: String

    func run() throws {
        let live = try LiveRun.connect(options.runID, store: try options.history.open(Environment(ProcessInfo.processInfo.environment)), client: "cli")
        try live.perform(.cancel(job: try live.job(job)), done: "cancelling \(job)")
    }
}
