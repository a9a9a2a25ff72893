/// The `notifications:` mapping of a definition (see `NotificationSettings`).
extension DefinitionValidator {
    mutating func notifications(_ node: DefinitionNode, line: Int) -> NotificationSettings {
        var settings = NotificationSettings()
        guard case .mapping(let entries) = node.content else {
            addType("notifications", node, expected: "mapping", job: nil, line: line)
            return settings
        }
        var unknown: [String] = []
        for entry in entries {
            let key = entry.key.text
            let value = entry.value
            let line = entry.key.lineNumber
            let path = "notifications." + key
            switch key {
            case "on_failure": settings.onFailure = hookCommand(path, value, line: line)
            case "on_success": settings.onSuccess = hookCommand(path, value, line: line)
            case "always": settings.always = hookCommand(path, value, line: line)
            case "webhook":
                guard let url = topString(path, value, line: line) else { break }
                if url.hasPrefix("http://") || url.hasPrefix("https://") {
                    settings.webhookURL = url
                } else {
                    addRange(path, value, expectation: "an http:// or https:// URL", job: nil, line: line)
                }
            case "webhook_on":
                guard let text = topString(path, value, line: line) else { break }
                settings.webhookOn = NotifyWhen(rawValue: text)
                if settings.webhookOn == nil {
                    addRange(path, value, expectation: "one of failure, success, always", job: nil, line: line)
                }
            case "webhook_format":
                guard let text = topString(path, value, line: line) else { break }
                settings.webhookFormat = WebhookFormat(rawValue: text)
                if settings.webhookFormat == nil {
                    addRange(path, value, expectation: "one of json, slack", job: nil, line: line)
                }
            case "timeout_seconds":
                settings.timeoutSeconds = duration(path, value, positive: true, job: nil, line: line)
            default:
                unknown.append(key)
            }
        }
        if !unknown.isEmpty {
            issues.append(ValidationIssue(
                kind: .permission, jobs: [],
                reason: "One or more keys of notifications are not allowed: \(unknown.map { JobName.escaped($0) }.joined(separator: ", ")).",
                countermeasure: "Remove them. Allowed keys: {\(NotificationSettings.keys.joined(separator: ", "))}.",
                line: line))
        }
        return settings
    }

    /// A hook command: a string runs with `/bin/sh -c`, a list of strings is an argv.
    private mutating func hookCommand(_ key: String, _ node: DefinitionNode, line: Int) -> JobCommand? {
        switch node.content {
        case .string:
            guard !node.text.isEmpty, !node.text.utf8.contains(0) else {
                addRange(key, node, expectation: "a non-empty string without NUL bytes, or a list of strings", job: nil, line: line)
                return nil
            }
            return .shell(node.text)
        case .sequence(let items):
            var argv: [String] = []
            for item in items {
                guard let s = item.string, !s.utf8.contains(0) else {
                    addType(key, item, expected: "list of strings", job: nil, line: line)
                    return nil
                }
                argv.append(s)
            }
            guard !argv.isEmpty else {
                addRange(key, node, expectation: "a non-empty list of strings", job: nil, line: line)
                return nil
            }
            return .argv(argv)
        default:
            addType(key, node, expected: "string or list", job: nil, line: line)
            return nil
        }
    }
}
