import Testing
@testable import MetaJobCore

/// `notifications:` in a definition: what is read, and what is refused with a clear issue.
@Suite struct NotificationDefinitionTests {
    @Test func everyKeyIsRead() throws {
        let definition = try #require(Load.ok("""
            jobs:
              - {job_name: a, depends_on: []}
            notifications:
              on_failure: ./page.sh "$METAJOB_RUN_ID"
              on_success: [logger, -t, etl, ok]
              always: echo done
              webhook: https://hooks.example.com/services/T0/B0/secret
              webhook_on: always
              webhook_format: slack
              timeout_seconds: 2.5
            """))
        let n = definition.settings.notifications
        #expect(n.onFailure == .shell("./page.sh \"$METAJOB_RUN_ID\""))
        #expect(n.onSuccess == .argv(["logger", "-t", "etl", "ok"]))
        #expect(n.always == .shell("echo done"))
        #expect(n.webhookURL == "https://hooks.example.com/services/T0/B0/secret")
        #expect(n.webhookOn == .always)
        #expect(n.webhookFormat == .slack)
        #expect(n.timeoutSeconds == 2.5)
    }

    @Test func aDefinitionWithoutNotificationsHasNone() throws {
        let definition = try #require(Load.ok("jobs: [{job_name: a, depends_on: []}]"))
        #expect(definition.settings.notifications == NotificationSettings())
    }

    @Test func badValuesAreIssuesWithTheirKeyAndLine() {
        let issues = Load.issues("""
            jobs:
              - {job_name: a, depends_on: []}
            notifications:
              on_failure: ""
              on_success: [logger, {not: text}]
              webhook: ftp://example.com/x
              webhook_on: sometimes
              webhook_format: xml
              timeout_seconds: 0
              on_falure: oops
            """)
        let text = issues.map { "\($0.line ?? 0): \($0.reason) \($0.countermeasure)" }
        #expect(issues.count == 7, "\(text)")
        #expect(text.contains { $0.hasPrefix("4:") && $0.contains("notifications.on_failure") })
        #expect(text.contains { $0.hasPrefix("5:") && $0.contains("notifications.on_success") && $0.contains("list of strings") })
        #expect(text.contains { $0.hasPrefix("6:") && $0.contains("an http:// or https:// URL") })
        #expect(text.contains { $0.hasPrefix("7:") && $0.contains("one of failure, success, always") })
        #expect(text.contains { $0.hasPrefix("8:") && $0.contains("one of json, slack") })
        #expect(text.contains { $0.hasPrefix("9:") && $0.contains("notifications.timeout_seconds") })
        #expect(text.contains { $0.contains("on_falure") && $0.contains("Allowed keys: {on_failure, on_success, always") })
    }

    @Test func notificationsMustBeAMapping() {
        let issues = Load.issues("jobs: []\nnotifications: ./page.sh\n")
        #expect(issues.count == 1)
        #expect(issues.first?.reason == "The type of the key notifications is not mapping.")
    }
}
