import ArgumentParser

/// `metajob history …`: browse past runs recorded in the history file.
struct HistoryCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Browse past runs: list them, show one, print a job's logs, prune old ones, export metrics.",
        subcommands: [HistoryListCommand.self, HistoryShowCommand.self, HistoryLogsCommand.self, HistoryPruneCommand.self,
                      HistoryMetricsCommand.self])
}
