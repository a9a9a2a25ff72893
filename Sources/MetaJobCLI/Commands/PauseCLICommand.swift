import ArgumentParser
import Foundation

/// `metajob pause RUN`: a live run starts no new job until `unpause` (running jobs go on).
struct PauseCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a live run: no new job starts; running jobs go on.")

    @OptionGroup var options: ControlCommandOptions

    func run() throws {
        let live = try LiveRun.connect(options.runID, store: try options.history.open(Environment(ProcessInfo.processInfo.environment)), client: "cli")
        try live.perform(.pause, done: "paused (running jobs go on; `metajob unpause \(live.detail.summary.runId)` starts new ones again)")
    }
}
