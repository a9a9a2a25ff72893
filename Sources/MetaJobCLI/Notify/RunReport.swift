import Foundation
import MetaJobCore

/// The facts about an ended run that notifications carry: the JSON on a hook's stdin and in a webhook's body,
/// the `METAJOB_…` variables in a hook's environment, and the Slack-style message.
struct RunReport: Encodable {
    var metaJob: String
    var runId: String
    /// `succeeded`, `failed` or `cancelled`.
    var outcome: String
    /// metajob's exit code for this run (0, 1, 129, 130, 131, 143).
    var exitCode: Int32
    /// `manual/NAME` or `scheduled/NAME` (`--execution-type`).
    var startedBy: String
    /// ISO 8601, UTC.
    var startedAt: String
    var endedAt: String
    var durationSeconds: Double
    var host: String
    var jobsTotal: Int
    var jobsSucceeded: Int
    var failedJobs: [FailedJob]
    /// The history file the run is recorded in (nil with --no-history).
    var history: String?
    /// The commands to act on the run.
    var attachCommand: String
    var resumeCommand: String
    /// A VDK DAG job's `[contacts]` (`notified_on_job_…` → addresses); nil for other definitions.
    var vdkContacts: [String: [String]]?
    /// Who VDK would have told about this outcome, from `vdkContacts`: on success `notified_on_job_success`; on
    /// failure `notified_on_job_failure_platform_error` when a job failed with a platform error, and
    /// `notified_on_job_failure_user_error` for any other failure.
    var recipients: [String]

    /// The report of `snapshot`'s run, ended with `outcome` and `exitCode`.
    init(snapshot: RunSnapshot, outcome: RunOutcome, exitCode: CLIExit, startedAt: Double, endedAt: Double,
         duration: Double, historyPath: String?, vdkContacts: [String: [String]] = [:]) {
        let outline = snapshot.outline
        metaJob = outline.metaJobName
        runId = outline.runId
        self.outcome = outcome.rawValue
        self.exitCode = exitCode.rawValue
        startedBy = outline.startedBy
        self.startedAt = TimeFormat.iso8601(startedAt)
        self.endedAt = TimeFormat.iso8601(endedAt)
        durationSeconds = (duration * 1000).rounded() / 1000
        host = ProcessInfo.processInfo.hostName
        jobsTotal = snapshot.jobs.count
        jobsSucceeded = snapshot.count(of: .succeeded)
        failedJobs = zip(outline.jobs, snapshot.jobs).compactMap { job, progress in
            guard progress.state.isFailure else { return nil }
            return FailedJob(name: job.name, state: progress.state.rawValue, reason: progress.reason,
                             exitCode: progress.exitCode, attempts: progress.attemptsStarted, failsMetaJob: job.failDagOnError)
        }
        history = historyPath
        let historyArgument = historyPath.map { " --history " + Self.shellQuoted($0) } ?? ""
        attachCommand = "metajob attach " + Self.shellQuoted(runId) + historyArgument
        resumeCommand = "metajob resume " + Self.shellQuoted(runId) + historyArgument
        self.vdkContacts = vdkContacts.isEmpty ? nil : vdkContacts
        var recipients: [String] = []
        if outcome == .succeeded {
            recipients = vdkContacts["notified_on_job_success"] ?? []
        } else {
            let states = Set(failedJobs.filter(\.failsMetaJob).map(\.state))
            if states.contains(JobState.platformError.rawValue) {
                recipients += vdkContacts["notified_on_job_failure_platform_error"] ?? []
            }
            if states.isEmpty || states.contains(where: { $0 != JobState.platformError.rawValue }) {
                recipients += vdkContacts["notified_on_job_failure_user_error"] ?? []
            }
        }
        var seen = Set<String>()
        self.recipients = recipients.filter { seen.insert($0).inserted }
    }

    /// The JSON object (keys sorted, snake_case).
    var json: Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a string, number, bool or array of those: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// The variables a hook gets, besides metajob's own environment.
    func environment(hook: String) -> [String: String] {
        var variables = [
            "METAJOB_HOOK": hook,
            "METAJOB_META_JOB": metaJob,
            "METAJOB_RUN_ID": runId,
            "METAJOB_OUTCOME": outcome,
            "METAJOB_EXIT_CODE": String(exitCode),
            "METAJOB_STARTED_BY": startedBy,
            "METAJOB_STARTED_AT": startedAt,
            "METAJOB_ENDED_AT": endedAt,
            "METAJOB_DURATION_SECONDS": String(durationSeconds),
            "METAJOB_FAILED_JOBS": failedJobs.map(\.name).joined(separator: ","),
            "METAJOB_ATTACH_COMMAND": attachCommand,
            "METAJOB_RESUME_COMMAND": resumeCommand,
        ]
        if !recipients.isEmpty { variables["METAJOB_RECIPIENTS"] = recipients.joined(separator: ",") }
        // `metajob history show $METAJOB_RUN_ID` in a hook then reads the same file.
        if let history { variables["METAJOB_HISTORY"] = history }
        return variables
    }

    /// A Slack-style `{"text": …}` body: one line of outcome, the failed jobs, the commands.
    var slackJSON: Data {
        var text = "metajob: meta job *\(Self.slackEscaped(metaJob))* \(outcome) (run \(runId), "
            + "\(TimeFormat.duration(durationSeconds)), exit code \(exitCode), on \(Self.slackEscaped(host)))"
        for job in failedJobs {
            text += "\n• \(Self.slackEscaped(job.name)): \(job.state)"
            if let reason = job.reason { text += " — " + Self.slackEscaped(reason) }
        }
        text += "\nAttach: `\(Self.slackEscaped(attachCommand))`  Resume: `\(Self.slackEscaped(resumeCommand))`"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(["text": text])) ?? Data("{}".utf8)
    }

    /// Slack's three control characters in message text.
    static func slackEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `text` as one shell word (single quotes unless it is plainly safe).
    static func shellQuoted(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy { $0.isASCII && ("a"..."z" ~= $0 || "A"..."Z" ~= $0 || "0"..."9" ~= $0 || "-_./:@".unicodeScalars.contains($0)) }
        return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

}
