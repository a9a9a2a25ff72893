/// The body a notification webhook is sent.
public enum WebhookFormat: String, Sendable, Equatable, CaseIterable {
    /// The run's facts, the same JSON the notification commands get on stdin.
    case json
    /// `{"text": "…"}`: what Slack-style incoming webhooks (Slack, Mattermost, Rocket.Chat) accept.
    case slack
}
