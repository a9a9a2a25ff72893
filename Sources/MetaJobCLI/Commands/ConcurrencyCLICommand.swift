import ArgumentParser
import Foundation

/// `metajob concurrency RUN N`: changes how many jobs a live run runs at once.
struct ConcurrencyCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concurrency", abstract: "Change how many jobs a live run runs at once.",
        aliases: ["set-concurrency"])

    @OptionGroup var options: ControlCommandOptions
    @Argument(help: "The new limit (at least 1).") var limit: Int

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("the limit must be at least 1, not \(limit).") }
    }

    func run() throws {
        let live = try LiveRun.connect(options.runID, store: try options.history.open(Environment(ProcessInfo.processInfo.environment)), client: "cli")
        try live.perform(.setConcurrency(limit), done: "at most \(limit) jobs at once")
    }
}
