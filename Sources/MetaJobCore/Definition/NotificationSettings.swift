/// What to do when a meta job ends (`notifications:` in the definition; flags and environment override it):
/// commands on failure, on success or always, and a webhook. Nil where nothing is set.
public struct NotificationSettings: Sendable, Equatable {
    /// Runs when the meta job failed or was stopped.
    public var onFailure: JobCommand?
    /// Runs when the meta job succeeded.
    public var onSuccess: JobCommand?
    /// Runs whatever the outcome (after the on_failure / on_success command).
    public var always: JobCommand?
    /// An http(s) URL the run's facts are POSTed to.
    public var webhookURL: String?
    /// Which outcomes the webhook is called for (default: failure).
    public var webhookOn: NotifyWhen?
    /// The webhook body: the run's facts as JSON, or a Slack-style `{"text": …}` message.
    public var webhookFormat: WebhookFormat?
    /// How long one command or webhook call may take, in seconds (default 30).
    public var timeoutSeconds: Double?

    public init(onFailure: JobCommand? = nil, onSuccess: JobCommand? = nil, always: JobCommand? = nil,
                webhookURL: String? = nil, webhookOn: NotifyWhen? = nil, webhookFormat: WebhookFormat? = nil,
                timeoutSeconds: Double? = nil) {
        self.onFailure = onFailure
        self.onSuccess = onSuccess
        self.always = always
        self.webhookURL = webhookURL
        self.webhookOn = webhookOn
        self.webhookFormat = webhookFormat
        self.timeoutSeconds = timeoutSeconds
    }

    /// The keys of the `notifications:` mapping.
    public static let keys = ["on_failure", "on_success", "always", "webhook", "webhook_on", "webhook_format", "timeout_seconds"]
}
