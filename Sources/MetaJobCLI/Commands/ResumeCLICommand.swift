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

            Only one resume of a run goes at a time: while one runs, another is refused with its run id. A run \
            that was resumed before is refused too, pointing at the newer run; --force resumes it anyway (jobs \
            that succeeded in any later run of the chain are still reused).
            """)

    @Argument(help: ArgumentHelp("The run id, or any unique prefix of it.", valueName: "run")) var runID: String
    @Option(name: .customLong("job"), help: "Rerun this job and everything downstream of it (repeatable).")
    var jobs: [String] = []
    @Flag(name: .long, help: "Resume RUN even though it was resumed before (never while that resume is going).")
    var force = false
    @Flag(name: .long, help: "Print what would run again, what is reused and the expected time; start nothing (JSON with --output json).")
    var dryRun = false
    @OptionGroup var options: RunOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var dashboard: DashboardOptions

    func run() throws {
        var variables = ProcessInfo.processInfo.environment
        // Set when a dashboard runs this resume in a background copy of metajob; the jobs do not inherit it.
        let background = BackgroundRole.take(from: &variables)
        let environment = Environment(variables)
        let store = try history.open(environment)
        let source: RunSource
        do {
            source = try ResumeSource.make(store: store, runID: runID, jobs: jobs, anyway: force)
        } catch {
            if error.nothingToDo {
                CLIOutput.stdout(error.message + "\n")
                return
            }
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
        if dryRun {
            try printPreview(source, store: store, environment: environment)
            return
        }
        throw try RunSession(source: source, options: options, dashboard: dashboard, history: history, environment: environment,
                             background: background).run()
    }

    /// `--dry-run`: the retry preview of the resume (the same sets and simulation as the dashboard's), from the
    /// history's expected durations; nothing is started or recorded.
    private func printPreview(_ source: RunSource, store: HistoryStore, environment: Environment) throws {
        let definition = source.definition
        let graph = JobGraph(definition)
        let names = graph.names
        let concurrency: Int
        do {
            concurrency = try SettingsResolver.resolve(flags: options.flags, environment: environment,
                                                       file: definition.settings).settings.maxConcurrentRunningJobs
        } catch {
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
        let estimates: [String: DurationEstimate]
        do {
            estimates = try store.expectedDurations(metaJob: definition.name, jobs: names)
        } catch {
            CLIOutput.error("reading expected durations from the run history failed: \(error). Run without --dry-run to resume anyway.")
            throw CLIExit.failed
        }
        // The resumed run starts with the reused jobs succeeded and every other job still to run.
        let jobs = names.map { ForesightJob(state: source.reused[$0] == nil ? .notRun : .succeeded, estimate: estimates[$0]) }
        let rerun = names.indices.filter { source.reused[names[$0]] == nil }
        let preview = RetryPreview(.resume(rerun: rerun), graph: graph, jobs: jobs, concurrency: concurrency, now: 0)
        let runId = source.resumedFrom ?? runID
        CLIOutput.stdout(options.output == .json ? ForesightReport.resumeJSON(preview, runId: runId, names: names)
                                                 : ForesightReport.resumePlain(preview, runId: runId, names: names))
    }
}
