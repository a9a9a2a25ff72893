import ArgumentParser
import Foundation
import MetaJobHistory

/// `metajob history prune`: deletes old runs and their logs, and reclaims the space.
struct HistoryPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Delete old runs and their logs.")

    @OptionGroup var history: HistoryOptions
    @Option(name: .long, help: "Keep the newest N runs.") var keep: Int?
    @Option(name: .long, help: "Delete runs started more than DAYS days ago (fractions allowed).") var olderThan: Double?

    func validate() throws {
        guard (keep == nil) != (olderThan == nil) else {
            throw ValidationError("Give exactly one of --keep N or --older-than DAYS.")
        }
        if let keep, keep < 0 { throw ValidationError("--keep must be 0 or more.") }
        if let olderThan, !(olderThan >= 0) { throw ValidationError("--older-than must be a number of days ≥ 0.") }
    }

    func run() throws {
        let store = try history.open(Environment(ProcessInfo.processInfo.environment))
        let deleted: Int
        if let keep {
            deleted = try HistoryFormat.attempt { try store.prune(keep: keep) }
        } else {
            let cutoff = Date().timeIntervalSince1970 - olderThan! * 86_400
            deleted = try HistoryFormat.attempt { try store.prune(olderThan: cutoff) }
        }
        CLIOutput.stdout("deleted \(deleted) run\(deleted == 1 ? "" : "s") from \(store.path)\n")
    }
}
