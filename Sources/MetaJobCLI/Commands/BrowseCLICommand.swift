import ArgumentParser
import Foundation

/// `metajob browse`: the dashboard's history browser on its own.
struct BrowseCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browse",
        abstract: "Browse past runs in the dashboard: open one to read its jobs and logs, resume it with r.",
        discussion: "Needs a terminal. The run options apply to a run resumed from the browser.")

    @OptionGroup var options: RunOptions
    @OptionGroup var dashboard: DashboardOptions
    @OptionGroup var history: HistoryOptions

    func run() throws {
        let environment = Environment(ProcessInfo.processInfo.environment)
        throw try DashboardSession(options: options, dashboard: dashboard, history: history, environment: environment).browse()
    }
}
