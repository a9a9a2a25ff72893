import ArgumentParser
import MetaJobCore

/// `--notify-…`: what to do when the meta job ends, over the definition's `notifications:` and the
/// `METAJOB_NOTIFY_…` environment variables.
struct NotifyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Shell command to run when the meta job fails or is stopped.", valueName: "command"))
    var notifyOnFailure: String?

    @Option(name: .long, help: ArgumentHelp("Shell command to run when the meta job succeeds.", valueName: "command"))
    var notifyOnSuccess: String?

    @Option(name: .long, help: ArgumentHelp("Shell command to run whatever the outcome.", valueName: "command"))
    var notifyAlways: String?

    @Option(name: .long, help: ArgumentHelp("URL to POST the run's facts to as JSON when the meta job ends.", valueName: "url"))
    var notifyWebhook: String?

    @Option(name: .long, help: "Which outcomes call the webhook: failure (default), success or always.")
    var notifyWebhookOn: String?

    @Option(name: .long, help: "The webhook's body: json (the run's facts, default) or slack ({\"text\": ...}).")
    var notifyWebhookFormat: String?

    @Option(name: .long, help: "Seconds one notification command or webhook call may take (default 30).")
    var notifyTimeout: Double?

    @Flag(name: .long, help: "Send no notifications for this run (whatever the definition or environment say).")
    var noNotify = false
}
