import Foundation
import MetaJobCore
@testable import MetaJobRunner
import MetaJobTestSupport
import Testing

// In the serialized suite of LocalExecutorTests: these spawn processes too.
extension LocalExecutorTests {
    /// A fake `vdk` in a temporary directory: writes $SUMMARY_JSON (if set) to $JOB_RUN_SUMMARY_FILE_PATH,
    /// then exits with $EXIT_CODE.
    private func makeFakeVDK() throws -> String {
        let directory = ProcessProbe.makeTemporaryDirectory()
        let script = """
            #!/bin/sh
            if [ -n "$SUMMARY_JSON" ]; then printf '%s' "$SUMMARY_JSON" > "$JOB_RUN_SUMMARY_FILE_PATH"; fi
            echo "vdk $*"
            exit "${EXIT_CODE:-0}"

            """
        try ExecutableFile.write(script, to: directory + "/vdk")
        return directory
    }

    private func runVDK(summary: String?, exitCode: Int32) throws -> AttemptOutcome? {
        let directory = try makeFakeVDK()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summaryPath = directory + "/run-summary.json"
        var environment = ["JOB_RUN_SUMMARY_FILE_PATH": summaryPath, "EXIT_CODE": "\(exitCode)",
                           "PATH": directory + ":/usr/bin:/bin"]
        if let summary { environment["SUMMARY_JSON"] = summary }
        let harness = ExecutorHarness()
        // `vdk` is a bare name: found on the PATH the job gets, not the runner's.
        let request = LaunchRequest(key: harness.newKey(), jobName: "job", argv: ["vdk", "run", "job"],
                                    workingDirectory: directory, environment: environment,
                                    vdkSummaryPath: summaryPath)
        harness.start(request)
        let outcome = harness.waitFinished(request.key)
        #expect(harness.lines(request.key, .stdout) == [Array("vdk run job".utf8)])
        #expect(!FileManager.default.fileExists(atPath: summaryPath))
        return outcome
    }

    @Test func vdkSuccess() throws {
        #expect(try runVDK(summary: #"{"status": "success", "steps": []}"#, exitCode: 0)
                == .status(.succeeded, exitCode: 0, reason: nil))
    }

    @Test func vdkSkipRequested() throws {
        #expect(try runVDK(summary: #"{"status": "skip_requested"}"#, exitCode: 0)
                == .status(.skipped, exitCode: 0, reason: nil))
    }

    @Test func vdkUserErrors() throws {
        let user = try runVDK(summary: #"{"status": "user_error", "blamee": "User Error", "exception_name": "ValueError", "details": "bad input"}"#,
                              exitCode: 1)
        guard case .status(.userError, exitCode: 1, let reason?) = user else {
            Issue.record("unexpected \(String(describing: user))")
            return
        }
        #expect(reason.contains("User Error"))
        #expect(reason.contains("ValueError"))
        #expect(reason.contains("bad input"))
        let configuration = try runVDK(summary: #"{"status": "user_error", "blamee": "Configuration error"}"#, exitCode: 1)
        guard case .status(.userError, exitCode: 1, _) = configuration else {
            Issue.record("unexpected \(String(describing: configuration))")
            return
        }
    }

    @Test func vdkPlatformErrors() throws {
        let platform = try runVDK(summary: #"{"status": "platform_error", "blamee": "Platform Error"}"#, exitCode: 1)
        guard case .status(.platformError, exitCode: 1, let reason?) = platform else {
            Issue.record("unexpected \(String(describing: platform))")
            return
        }
        #expect(reason.contains("Platform Error"))
        // A failed status without blamee, and a summary that is not JSON, are platform errors too.
        guard case .status(.platformError, _, _) = try runVDK(summary: #"{"status": "user_error"}"#, exitCode: 1) else {
            Issue.record("no blamee should be a platform error")
            return
        }
        guard case .status(.platformError, _, _) = try runVDK(summary: "not json", exitCode: 0) else {
            Issue.record("an unreadable summary should be a platform error")
            return
        }
    }

    @Test func vdkWithoutSummary() throws {
        #expect(try runVDK(summary: nil, exitCode: 0) == .status(.succeeded, exitCode: 0, reason: nil))
        #expect(try runVDK(summary: nil, exitCode: 2)
                == .status(.platformError, exitCode: 2, reason: "exit code 2, no run summary"))
    }
}
