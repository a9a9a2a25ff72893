import ArgumentParser
import Foundation
import MetaJobCore
import MetaJobHistory

/// `metajob resume RUN`: a new run of RUN's definition snapshot that reuses the jobs which succeeded there.
struct ResumeCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Run a past run's definition again, reusing the jobs that succeeded in it.",
        discussion: """
            The definition comes from the history (the file may have changed or gone since). Jobs that \
            succeeded in RUN count as succeeded without running (shown as reused); failed, cancelled, \
            interrupted and not_run jobs run. With --job NAME, those jobs and everything downstream of them \
            run again too, successful ones included.
            """)

    @Argument(help: ArgumentHelp("The run id, or any unique prefix of it.", valueName: "run")) var runID: String
    @Option(name: .customLong("job"), help: "Rerun this job and everything downstream of it (repeatable).")
    var jobs: [String] = []
    @OptionGroup var options: RunOptions
    @OptionGroup var history: HistoryOptions

    func run() throws {
        let environment = Environment(ProcessInfo.processInfo.environment)
        let store = try history.open(environment)
        let detail = try HistoryFormat.attempt { try store.run(runID) }
        let runId = detail.summary.runId
        if detail.summary.state == "running" {
            CLIOutput.error("run \(runId) is still running (pid \(detail.pid) on \(detail.host)). Wait for it to end, or stop it, then resume.")
            throw CLIExit.invalid
        }
        // The demo has no file: its jobs run in the temporary directory, as `metajob demo` does.
        let path = detail.definitionPath ?? (NSTemporaryDirectory() + "/demo-nightly-sales.yaml")
        let definition = try DefinitionFile.load(bytes: detail.definitionText, path: path)
        let plan: ResumePlan
        do {
            plan = try ResumePlan(definition: definition, previous: detail, rerun: jobs)
        } catch let error as ResumePlan.Problem {
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
        if plan.toRun.isEmpty {
            CLIOutput.stdout("Every job of run \(runId) succeeded: nothing to resume. To run jobs again anyway, name them with --job NAME.\n")
            return
        }
        var source = RunSource(definition: definition, definitionText: detail.definitionText,
                               definitionPath: detail.definitionPath, resumedFrom: runId, reused: plan.reused)
        source.adoptExecutions = plan.adopt
        throw try HeadlessSession(source: source, options: options, history: history, environment: environment).run()
    }
}
