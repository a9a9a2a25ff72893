import ArgumentParser
import Foundation
import MetaJobCore
import MetaJobHistory

/// `metajob validate FILE`: checks a definition without running anything; when the history knows its jobs, also
/// says how long a run is expected to take and which chain of jobs decides that.
struct ValidateCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a meta job definition: every error with its type, jobs, reason, fix and line.",
        discussion: """
            When the run history has successful runs of these jobs (same meta job name), it also prints the \
            expected duration of a whole run (from the median of each job's last 20 successes) and its critical \
            path. The history is only read, never created.
            """)

    @Argument(help: "The definition: a YAML or JSON file, a VDK DAG step (.py) or a VDK DAG job directory.")
    var file: String

    @Option(name: .long, help: "plain or json.")
    var output: OutputFormat = .plain

    @OptionGroup var history: HistoryOptions

    func run() throws {
        let (definition, _) = try DefinitionFile.load(path: file, jsonErrors: output == .json)
        let graph = JobGraph(definition)
        let schedule = expected(definition, graph)
        if output == .json {
            var o = JSONObjectWriter()
            o.bool("valid", true); o.string("file", file); o.string("meta_job", definition.name)
            o.int("jobs", graph.count); o.int("edges", graph.edgeCount); o.int("depth", graph.depth)
            if let schedule { ForesightReport.scheduleFields(schedule, names: graph.names, into: &o) }
            CLIOutput.stdout(o.finish() + "\n")
        } else {
            var text = "valid: \(graph.count) jobs, \(graph.edgeCount) edges, depth \(graph.depth)\n"
            if let schedule {
                text += ForesightReport.scheduleLines(schedule, names: graph.names, label: "expected duration")
                    .joined(separator: "\n") + "\n"
            }
            CLIOutput.stdout(text)
        }
    }

    /// A whole run simulated with the history's expected durations; nil when the history does not exist, cannot
    /// be read, or knows none of the jobs (validation never fails because of the history).
    /// `METAJOB_FORESIGHT_REPORT=1` prints how long loading the estimates and one simulation took (to stderr,
    /// for `Benchmarks/run`).
    private func expected(_ definition: MetaJobDefinition, _ graph: JobGraph) -> ForesightSchedule? {
        let environment = Environment(ProcessInfo.processInfo.environment)
        let path = history.path(environment)
        let clock = ContinuousClock()
        // Opening a missing history would create it: validate only reads.
        guard FileManager.default.fileExists(atPath: path), let store = try? HistoryStore(path: path) else { return nil }
        let loadStart = clock.now
        guard let estimates = try? store.expectedDurations(metaJob: definition.name, jobs: graph.names),
              !estimates.isEmpty else { return nil }
        let loaded = clock.now - loadStart
        let concurrency = (try? SettingsResolver.resolve(flags: RunFlags(), environment: environment,
                                                         file: definition.settings))?.settings.maxConcurrentRunningJobs
            ?? RunSettings().maxConcurrentRunningJobs
        let jobs = graph.names.map { ForesightJob(state: .pending, estimate: estimates[$0]) }
        guard environment["METAJOB_FORESIGHT_REPORT"] == "1" else {
            return ForesightSchedule(graph: graph, jobs: jobs, concurrency: concurrency, now: 0)
        }
        // The dashboard simulates again and again: report the median of 5 (the first includes warming up).
        var times: [Duration] = []
        var schedule: ForesightSchedule?
        for _ in 0..<5 {
            let t0 = clock.now
            schedule = ForesightSchedule(graph: graph, jobs: jobs, concurrency: concurrency, now: 0)
            times.append(clock.now - t0)
        }
        func ms(_ d: Duration) -> String {
            let (s, atto) = d.components
            return String(Double(s) * 1000 + Double(atto) / 1e15)
        }
        CLIOutput.stderr("metajob foresight: estimates for \(graph.count) jobs (\(estimates.count) known) loaded in \(ms(loaded)) ms; "
                         + "ETA + critical path in \(ms(times.sorted()[2])) ms (median of 5)\n")
        return schedule
    }
}
