import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobTestSupport
import Testing

/// Notifications through the binary: real hook processes, a real webhook on loopback, the history checked.
@Suite("notifications when a meta job ends")
struct NotificationTests {
    /// `broken` fails the meta job (exit 3) after `ok` succeeded.
    static func failing(_ notifications: String) -> String {
        """
        name: nightly
        jobs:
          - job_name: ok
            depends_on: []
            command: "true"
          - job_name: broken
            depends_on: [ok]
            command: "echo boom >&2; exit 3"
        notifications:
        \(notifications)
        """
    }

    static func succeeding(_ notifications: String) -> String {
        """
        name: tidy
        jobs:
          - job_name: ok
            depends_on: []
            command: "true"
        notifications:
        \(notifications)
        """
    }

    /// A directory with `p.yaml`, and a history file of its own.
    static func setup(_ definition: String) throws -> (dir: String, history: String) {
        let dir = try BinaryRunner.directory(["p.yaml": definition])
        return (dir, dir + "/history.sqlite")
    }

    /// Runs `metajob run p.yaml --no-tui EXTRA` off the cooperative pool (the loopback webhook needs its threads).
    static func run(_ dir: String, _ history: String, _ extra: [String] = [],
                    environment: [String: String] = [:]) async throws -> BinaryRunner.Result {
        let env = environment.merging(["METAJOB_HISTORY": history]) { _, new in new }
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try BinaryRunner.run(["run", "p.yaml", "--no-tui"] + extra, in: dir, environment: env)
                })
            }
        }
    }

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func file(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// The variables a hook wrote with `env > FILE`.
    static func variables(_ path: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }

    @Test func failureRunsTheFailureHookAlwaysAndTheWebhookWithTheRunsFacts() async throws {
        let hook = try await WebhookRecorder()
        let (dir, history) = try Self.setup(Self.failing("""
          on_failure: ["/bin/sh", "-c", "cat > failure.json; env > failure.env"]
          on_success: touch success-ran
          always: cat > always.json
          webhook: \(hook.url)
          timeout_seconds: 10
        """))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await Self.run(dir, history)
        await hook.stop()
        #expect(result.exitCode == 1, "the meta job failed: \(result.stderr)")
        #expect(!result.stderr.contains("notification"), "no hook failed: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/success-ran"))

        let payload = try Self.object(try Self.file(dir + "/failure.json"))
        let runId = try #require(payload["run_id"] as? String)
        #expect(payload["meta_job"] as? String == "nightly")
        #expect(payload["outcome"] as? String == "failed")
        #expect(payload["exit_code"] as? Int == 1)
        #expect(payload["started_by"] as? String == "manual/nightly")
        #expect(payload["jobs_total"] as? Int == 2)
        #expect(payload["jobs_succeeded"] as? Int == 1)
        #expect(payload["history"] as? String == history)
        #expect(payload["attach_command"] as? String == "metajob attach \(runId) --history \(history)")
        #expect(payload["resume_command"] as? String == "metajob resume \(runId) --history \(history)")
        let duration = try #require(payload["duration_seconds"] as? Double)
        #expect(duration >= 0 && duration < 60)
        let started = try #require(payload["started_at"] as? String), ended = try #require(payload["ended_at"] as? String)
        #expect(started.hasSuffix("Z") && ended.hasSuffix("Z") && started <= ended)
        let failed = try #require(payload["failed_jobs"] as? [[String: Any]])
        #expect(failed.count == 1)
        #expect(failed.first?["name"] as? String == "broken")
        #expect(failed.first?["state"] as? String == "user_error")
        #expect(failed.first?["exit_code"] as? Int == 3)
        #expect(failed.first?["attempts"] as? Int == 1)
        #expect(failed.first?["fails_meta_job"] as? Bool == true)
        #expect((failed.first?["reason"] as? String)?.isEmpty == false)

        let env = try Self.variables(dir + "/failure.env")
        #expect(env["METAJOB_HOOK"] == "on_failure")
        #expect(env["METAJOB_RUN_ID"] == runId)
        #expect(env["METAJOB_META_JOB"] == "nightly")
        #expect(env["METAJOB_OUTCOME"] == "failed")
        #expect(env["METAJOB_EXIT_CODE"] == "1")
        #expect(env["METAJOB_FAILED_JOBS"] == "broken")
        #expect(env["METAJOB_HISTORY"] == history)
        #expect(env["METAJOB_RESUME_COMMAND"] == "metajob resume \(runId) --history \(history)")
        #expect(env["METAJOB_DURATION_SECONDS"].flatMap(Double.init) != nil)

        // `always` gets the same facts.
        let always = try Self.object(try Self.file(dir + "/always.json"))
        #expect(always["run_id"] as? String == runId)
        #expect(always["outcome"] as? String == "failed")

        // The webhook got the same JSON, POSTed, at the path given.
        let requests = hook.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/hooks/secret-token")
        #expect(request.contentType == "application/json")
        let body = try Self.object(request.body)
        #expect(body["run_id"] as? String == runId)
        #expect(body["outcome"] as? String == "failed")
        #expect((body["failed_jobs"] as? [[String: Any]])?.first?["name"] as? String == "broken")

        // The history records every notification, in order; the webhook without its secret path.
        let store = try HistoryStore(path: history)
        let records = try store.notifications(runId: runId)
        #expect(records.map(\.hook) == ["on_failure", "always", "webhook"])
        #expect(records.allSatisfy { $0.ok })
        #expect(records.last?.target.contains("secret-token") == false)
        #expect(try store.run(runId).summary.state == StoredRunState.failed)
    }

    @Test func successRunsTheSuccessHookAndASlackWebhookWhenAsked() async throws {
        let hook = try await WebhookRecorder()
        let (dir, history) = try Self.setup(Self.succeeding("""
          on_failure: touch failure-ran
          on_success: cat > success.json
          webhook: \(hook.url)
        """))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // webhook_on defaults to failure: a success posts nothing.
        let quiet = try await Self.run(dir, history)
        #expect(quiet.exitCode == 0)
        #expect(hook.requests.isEmpty)
        let payload = try Self.object(try Self.file(dir + "/success.json"))
        #expect(payload["outcome"] as? String == "succeeded")
        #expect(payload["exit_code"] as? Int == 0)
        #expect((payload["failed_jobs"] as? [Any])?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/failure-ran"))

        // Flags over the definition: the webhook on every outcome, as a Slack-style message.
        let slack = try await Self.run(dir, history, ["--notify-webhook-on", "always", "--notify-webhook-format", "slack"])
        await hook.stop()
        #expect(slack.exitCode == 0)
        let request = try #require(hook.requests.first)
        let body = try Self.object(request.body)
        #expect(body.keys.sorted() == ["text"])
        let text = try #require(body["text"] as? String)
        #expect(text.contains("*tidy* succeeded"))
        #expect(text.contains("metajob resume "))
    }

    @Test func aFailingHookIsReportedAndRecordedButChangesNothing() async throws {
        // The hook fails loudly, with escape sequences in its output: never to the terminal raw.
        let (dir, history) = try Self.setup(Self.failing("""
          on_failure: "printf 'paged \\\\033]0;owned\\\\007 \\\\033[31mred\\\\n'; exit 7"
        """))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await Self.run(dir, history)
        #expect(result.exitCode == 1, "the meta job's own outcome")
        #expect(result.stderr.contains("warning: the on_failure notification"), "\(result.stderr)")
        #expect(result.stderr.contains("exited with code 7"))
        #expect(!result.stderr.contains("\u{1B}"), "hook output reached the terminal raw: \(result.stderr.debugDescription)")
        let store = try HistoryStore(path: history)
        let run = try #require(try store.listRuns(limit: 1).first)
        let records = try store.notifications(runId: run.runId)
        #expect(records.count == 1)
        #expect(records.first?.ok == false)
        #expect(records.first?.detail.contains("exited with code 7") == true)
        let show = try BinaryRunner.run(["history", "show", run.runId], environment: ["METAJOB_HISTORY": history])
        #expect(show.stdout.contains("notified on_failure ("), "\(show.stdout)")
        #expect(show.stdout.contains("FAILED, exited with code 7"))
        #expect(!show.stdout.contains("\u{1B}"))
        #expect(run.state == StoredRunState.failed)

        // A success whose hook fails still exits 0.
        let (okDir, okHistory) = try Self.setup(Self.succeeding("  on_success: exit 9"))
        defer { try? FileManager.default.removeItem(atPath: okDir) }
        let ok = try await Self.run(okDir, okHistory)
        #expect(ok.exitCode == 0)
        #expect(ok.stderr.contains("exited with code 9"))
    }

    @Test func aHookPastItsTimeoutIsStoppedWithWhatItStarted() async throws {
        // The hook starts a background child and waits: both must go when the timeout passes.
        let (dir, history) = try Self.setup(Self.failing("""
          on_failure: "sleep 300 & echo $! > child.pid; wait"
          always: cat > always.json
        """))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await Self.run(dir, history, ["--notify-timeout", "1"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("timed out after"), "\(result.stderr)")
        // The next hook still ran.
        #expect(FileManager.default.fileExists(atPath: dir + "/always.json"))
        let pidText = try String(contentsOfFile: dir + "/child.pid", encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Reaped by init by now or about to be: poll for it to be gone (kill 0 fails) or a zombie.
        let deadline = Date().addingTimeInterval(5)
        var alive = true
        while Date() < deadline {
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            if kill(pid, 0) != 0 || state == "Z" { alive = false; break }
            usleep(20_000)
        }
        #expect(!alive, "the hook's background child \(pid) survived its timeout")
        if alive { kill(pid, SIGKILL) }
        let store = try HistoryStore(path: history)
        let run = try #require(try store.listRuns(limit: 1).first)
        let records = try store.notifications(runId: run.runId)
        #expect(records.map(\.hook) == ["on_failure", "always"])
        #expect(records.first?.ok == false && records.first?.detail.contains("timed out") == true)
    }

    @Test func aWebhookThatIsDownOrAnswersAnErrorIsReported() async throws {
        // A port nobody listens on: a server started and stopped.
        let gone = try await WebhookRecorder()
        await gone.stop()
        let (dir, history) = try Self.setup(Self.failing("  webhook: \(gone.url)"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let down = try await Self.run(dir, history, ["--notify-timeout", "3"])
        #expect(down.exitCode == 1)
        #expect(down.stderr.contains("warning: the webhook notification (http://127.0.0.1:"), "\(down.stderr)")
        #expect(!down.stderr.contains("secret-token"), "the webhook's path is not shown")

        // A server answering 500, with escape sequences in its body.
        let failing = try await WebhookRecorder(status: 500)
        let error = try await Self.run(dir, history, ["--notify-webhook", failing.url])
        await failing.stop()
        #expect(error.exitCode == 1)
        #expect(error.stderr.contains("HTTP 500"), "\(error.stderr)")
        #expect(!error.stderr.contains("\u{1B}"))
        #expect(failing.requests.count == 1)
        let store = try HistoryStore(path: history)
        for run in try store.listRuns(limit: 2) {
            let records = try store.notifications(runId: run.runId)
            #expect(records.count == 1 && records.first?.ok == false && records.first?.hook == "webhook")
        }
    }

    @Test func badNotificationSettingsAreRefusedBeforeAnythingRuns() async throws {
        let (dir, history) = try Self.setup(Self.succeeding("  on_success: touch ran"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let flag = try await Self.run(dir, history, ["--notify-webhook", "ftp://example.com/x"])
        #expect(flag.exitCode == 2)
        #expect(flag.stderr.contains("--notify-webhook ftp://example.com/x is not valid: expected an http:// or https:// URL"))
        let env = try await Self.run(dir, history, environment: ["METAJOB_NOTIFY_TIMEOUT": "soon"])
        #expect(env.exitCode == 2)
        #expect(env.stderr.contains("METAJOB_NOTIFY_TIMEOUT=soon is not valid"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/ran"))

        try Self.succeeding("  on_sucess: touch ran\n  timeout_seconds: -1").write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let file = try await Self.run(dir, history)
        #expect(file.exitCode == 2)
        #expect(file.stdout.contains("on_sucess") || file.stderr.contains("on_sucess"))
        #expect((file.stdout + file.stderr).contains("notifications.timeout_seconds"))
    }

    @Test func aVDKDagJobsContactsReachTheHooks() async throws {
        let dir = try VDKDagCLITests.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            [owner]
            team = my-team
            [contacts]
            notified_on_job_failure_user_error = a@example.com; b@example.com
            notified_on_job_failure_platform_error = ops@example.com
            notified_on_job_success = ok@example.com
            """.write(toFile: dir + "/dag-job/config.ini", atomically: true, encoding: .utf8)
        // The vdk stand-in fails ingest-job1 with a user error (VDK's run summary blames the user) and
        // ingest-job2 with a platform error (no summary).
        try ExecutableFile.write("""
            #!/bin/sh
            case "$*" in
              *ingest-job1*) echo '{"status": "user_error", "blamee": "User Error"}' > "$JOB_RUN_SUMMARY_FILE_PATH"; exit 1;;
              *ingest-job2*) exit 1;;
            esac
            exit 0

            """, to: dir + "/bin/vdk")
        let env = VDKDagCLITests.environment(dir, ["METAJOB_HISTORY": dir + "/history.sqlite"])
        let result = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try BinaryRunner.run(["run", "dag-job", "--no-tui", "--notify-on-failure", "env > hook.env; cat > hook.json"],
                                         in: dir, environment: env)
                })
            }
        }
        #expect(result.exitCode == 1, "\(result.stderr)")
        // Hooks run where the DAG job's jobs are: beside the DAG job directory.
        let variables = try Self.variables(dir + "/hook.env")
        #expect(variables["METAJOB_RECIPIENTS"] == "ops@example.com,a@example.com,b@example.com")
        #expect(variables["METAJOB_META_JOB"] == "dag-job")
        let payload = try Self.object(try Self.file(dir + "/hook.json"))
        #expect(payload["recipients"] as? [String] == ["ops@example.com", "a@example.com", "b@example.com"])
        let failed = (payload["failed_jobs"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "") \($0["state"] ?? "")" }.sorted()
        #expect(failed == ["ingest-job1 user_error", "ingest-job2 platform_error"])
        let contacts = try #require(payload["vdk_contacts"] as? [String: [String]])
        #expect(contacts["notified_on_job_success"] == ["ok@example.com"])
        #expect(contacts["notified_on_job_failure_platform_error"] == ["ops@example.com"])
    }

    @Test func noNotifySilencesTheDefinitionsHooks() async throws {
        let (dir, history) = try Self.setup(Self.succeeding("  on_success: touch ran"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await Self.run(dir, history, ["--no-notify"]).exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/ran"))
        #expect(try await Self.run(dir, history).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/ran"))
    }
}
