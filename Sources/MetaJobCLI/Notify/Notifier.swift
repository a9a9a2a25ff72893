import Foundation
import MetaJobCore

/// Sends an ended run's notifications: the outcome's command, then `always`, then the webhook when its
/// `webhook_on` matches. One after the other, each within the timeout; a failure is reported, never raised:
/// notifications never change the run's outcome or exit code.
struct Notifier {
    var settings: NotificationSettings
    /// Where commands run (the definition file's directory: relative paths resolve as jobs' do).
    var directory: String
    /// metajob's own environment, which hooks inherit under the run's `METAJOB_…` variables.
    var baseEnvironment: [String: String]
    /// A VDK DAG job's `[contacts]`, passed on to the hooks (empty for other definitions).
    var vdkContacts: [String: [String]] = [:]

    /// The default time one hook may take.
    static let defaultTimeout = 30.0

    /// True when there is something to send.
    var isEmpty: Bool {
        settings.onFailure == nil && settings.onSuccess == nil && settings.always == nil && settings.webhookURL == nil
    }

    /// Sends what `report`'s outcome calls for; returns how each went.
    func send(_ report: RunReport) -> [HookResult] {
        let succeeded = report.outcome == RunOutcome.succeeded.rawValue
        let timeout = settings.timeoutSeconds ?? Self.defaultTimeout
        var commands: [(String, JobCommand)] = []
        if succeeded, let command = settings.onSuccess { commands.append(("on_success", command)) }
        if !succeeded, let command = settings.onFailure { commands.append(("on_failure", command)) }
        if let command = settings.always { commands.append(("always", command)) }
        var results: [HookResult] = []
        let json = report.json
        for (hook, command) in commands {
            var environment = baseEnvironment
            environment.merge(report.environment(hook: hook)) { _, new in new }
            let (ok, detail) = HookCommandRunner.run(command, directory: directory, environment: environment,
                                                     stdin: json, timeout: timeout)
            results.append(HookResult(hook: hook, target: Self.shown(command), ok: ok, detail: detail))
        }
        if let url = settings.webhookURL, (settings.webhookOn ?? .failure).matches(succeeded: succeeded) {
            let body = settings.webhookFormat == .slack ? report.slackJSON : json
            let (ok, detail) = WebhookSender.post(body, to: url, timeout: timeout)
            results.append(HookResult(hook: "webhook", target: WebhookSender.shown(url), ok: ok, detail: detail))
        }
        return results
    }

    /// A command as reports show it (cut: it is for recognising, not for copying).
    static func shown(_ command: JobCommand) -> String {
        let text: String
        switch command {
        case .shell(let script): text = script
        case .argv(let argv): text = argv.map(RunReport.shellQuoted).joined(separator: " ")
        }
        return text.count > 120 ? String(text.prefix(119)) + "…" : text
    }
}
