import MetaJobCore

/// Past runs as the history store returns them.
enum HistoryFixture {
    static let origin = LiveRunFixture.origin
    static let summaries = [
        RunSummary(runId: "20251124-140000-cd34", metaJob: "nightly", state: .failed, startedAt: origin - 7200,
                   endedAt: origin - 7100, jobCounts: ["succeeded": 3, "user_error": 1, "not_run": 1], resumedFrom: nil),
        RunSummary(runId: "20251124-150000-ef56", metaJob: "hourly", state: .succeeded, startedAt: origin - 3600,
                   endedAt: origin - 3590, jobCounts: ["succeeded": 2], resumedFrom: nil),
        RunSummary(runId: "20251124-160000-ab12", metaJob: "nightly", state: .running, startedAt: origin,
                   endedAt: nil, jobCounts: ["running": 1], resumedFrom: nil),
    ]

    static let definition = """
        jobs:
          - job_name: extract
            depends_on: []
            command: ./extract.sh
          - job_name: clean
            depends_on: [extract]
            command: ./clean.sh
          - job_name: load
            depends_on: [clean]
            command: ./load.sh
        """

    static var detail: RunDetail {
        func job(_ name: String, _ state: String, start: Double, end: Double, code: Int32?, after: [String]) -> JobHistory {
            JobHistory(name: name, team: nil, state: state, attempts: 1, exitCode: code, reason: state == "user_error" ? "exit code 1" : nil,
                       executionId: nil, startedAt: origin - 7200 + start, endedAt: origin - 7200 + end, reusedFrom: nil,
                       dependsOn: after, events: [JobEventRecord(time: origin - 7200 + start, state: "submitted", attempt: 1, exitCode: nil, reason: nil,
                                               executionId: nil, delayReason: nil, readyAt: nil),
                                JobEventRecord(time: origin - 7200 + end, state: state, attempt: 1, exitCode: code, reason: nil,
                                               executionId: nil, delayReason: nil, readyAt: nil)])
        }
        return RunDetail(summary: summaries[0], startedBy: "manual/nightly", host: "box", pid: 42, workingDirectory: "/tmp",
                         commandLine: ["metajob", "run", "nightly.yaml"], definitionPath: "nightly.yaml",
                         definitionText: Array(definition.utf8), settingsJSON: "{}",
                         jobs: [job("extract", "succeeded", start: 0, end: 40, code: 0, after: []),
                                job("clean", "user_error", start: 40, end: 100, code: 1, after: ["extract"]),
                                JobHistory(name: "load", team: nil, state: "not_run", attempts: 0, exitCode: nil,
                                           reason: "not started: the meta job failed", executionId: nil, startedAt: nil,
                                           endedAt: nil, reusedFrom: nil, dependsOn: ["clean"], events: [])])
    }
}
