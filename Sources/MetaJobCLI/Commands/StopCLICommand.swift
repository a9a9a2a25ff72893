import ArgumentParser
import Foundation

/// `metajob stop RUN [--now]`: stops a live run as Ctrl-C would (running jobs get the grace period).
struct StopCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop a live run: nothing new starts; running jobs get SIGTERM, then SIGKILL after the grace period.")

    @OptionGroup var options: ControlCommandOptions
    @Flag(name: .long, help: "Kill running jobs at once (SIGKILL), without the grace period.") var now = false

    func run() throws {
        let live = try LiveRun.connect(options.runID, store: try options.history.open(Environment(ProcessInfo.processInfo.environment)), client: "cli")
        try live.perform(.stop(immediate: now), done: now ? "stopping now (running jobs are killed)" : "stopping (running jobs get the grace period)")
    }
}
