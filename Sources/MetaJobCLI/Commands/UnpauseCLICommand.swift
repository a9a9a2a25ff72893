import ArgumentParser
import Foundation

/// `metajob unpause RUN`: a paused live run starts new jobs again. (`resume` keeps its meaning: rerun a past run.)
struct UnpauseCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpause", abstract: "Let a paused live run start new jobs again.")

    @OptionGroup var options: ControlCommandOptions

    func run() throws {
        let live = try LiveRun.connect(options.runID, store: try options.history.open(Environment(ProcessInfo.processInfo.environment)), client: "cli")
        try live.perform(.resume, done: "unpaused")
    }
}
