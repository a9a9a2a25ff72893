import MetaJobCore

/// Layers the notification settings: `--notify-…` flag > `METAJOB_NOTIFY_…` environment variable >
/// the definition's `notifications:`. Flag and environment commands are shell strings (`/bin/sh -c`).
enum NotificationResolver {
    static func resolve(_ flags: NotifyOptions, environment: Environment,
                        file: NotificationSettings) throws(ConfigurationError) -> NotificationSettings {
        if flags.noNotify || environment["METAJOB_NO_NOTIFY"] == "1" { return NotificationSettings() }
        var settings = file
        if let command = flags.notifyOnFailure ?? environment["METAJOB_NOTIFY_ON_FAILURE"] { settings.onFailure = .shell(command) }
        if let command = flags.notifyOnSuccess ?? environment["METAJOB_NOTIFY_ON_SUCCESS"] { settings.onSuccess = .shell(command) }
        if let command = flags.notifyAlways ?? environment["METAJOB_NOTIFY_ALWAYS"] { settings.always = .shell(command) }
        if let (shown, url) = pick("--notify-webhook", flags.notifyWebhook, "METAJOB_NOTIFY_WEBHOOK", environment) {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ConfigurationError("\(shown) is not valid: expected an http:// or https:// URL.")
            }
            settings.webhookURL = url
        }
        if let (shown, raw) = pick("--notify-webhook-on", flags.notifyWebhookOn, "METAJOB_NOTIFY_WEBHOOK_ON", environment) {
            guard let when = NotifyWhen(rawValue: raw.lowercased()) else {
                throw ConfigurationError("\(shown) is not valid: expected failure, success or always.")
            }
            settings.webhookOn = when
        }
        if let (shown, raw) = pick("--notify-webhook-format", flags.notifyWebhookFormat, "METAJOB_NOTIFY_WEBHOOK_FORMAT", environment) {
            guard let format = WebhookFormat(rawValue: raw.lowercased()) else {
                throw ConfigurationError("\(shown) is not valid: expected json or slack.")
            }
            settings.webhookFormat = format
        }
        if let (shown, raw) = pick("--notify-timeout", flags.notifyTimeout.map { String($0) }, "METAJOB_NOTIFY_TIMEOUT", environment) {
            guard let seconds = Double(raw), seconds > 0, seconds <= 86_400 else {
                throw ConfigurationError("\(shown) is not valid: expected a number of seconds greater than 0 and at most 86400.")
            }
            settings.timeoutSeconds = seconds
        }
        return settings
    }

    /// The flag's value, else the environment variable's; with how the user wrote it, for messages.
    private static func pick(_ flag: String, _ value: String?, _ variable: String,
                             _ environment: Environment) -> (shown: String, value: String)? {
        if let value { return (flag + " " + value, value) }
        if let value = environment[variable] { return (variable + "=" + value, value) }
        return nil
    }
}
