import Dispatch
import Foundation
import Testing
import MetaJobCore
import MetaJobHistory
@testable import MetaJobCLI

/// A run set up for a session: problems are worded before anything starts, the recorder is subscribed, reused
/// jobs count as succeeded, and the exit code follows the outcome.
@Suite("Prepared run")
struct PreparedRunTests {
    static func source(_ jobs: [JobDefinition], reused: [String: String] = [:]) -> RunSource {
        RunSource(definition: MetaJobDefinition(name: "prep", jobs: jobs, directory: NSTemporaryDirectory()),
                  definitionText: Array("jobs: []".utf8), definitionPath: nil, resumedFrom: reused.isEmpty ? nil : "R0",
                  reused: reused)
    }

    static func options(_ arguments: [String] = []) throws -> RunOptions { try RunOptions.parse(arguments) }

    static func waitForFinish(_ run: PreparedRun) -> Bool {
        let done = DispatchSemaphore(value: 0)
        run.connection.onFinish { _ in done.signal() }
        return done.wait(timeout: .now() + 30) == .success
    }

    @Test func aRunIsRecordedReusesWhatItIsToldAndExitsByItsOutcome() throws {
        let dir = NSTemporaryDirectory() + "prepared-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try HistoryStore(path: dir + "/history.sqlite")
        let jobs = [JobDefinition(name: "old", command: .shell("exit 9")),
                    JobDefinition(name: "new", dependsOn: ["old"], command: .shell("exit 3"))]
        let run = try PreparedRun(source: Self.source(jobs, reused: ["old": "R0"]), options: try Self.options(),
                                  environment: Environment(ProcessInfo.processInfo.environment), store: store)
        run.start()
        #expect(Self.waitForFinish(run))
        #expect(run.closeRecording() == nil)
        let snapshot = run.finalSnapshot()
        #expect(snapshot.jobs.map(\.state) == [.succeeded, .userError])
        #expect(snapshot.jobs[0].reusedFrom == "R0" && snapshot.jobs[0].attempt == 0, "a reused job never runs")
        #expect(run.outcome == .failed && run.exitCode(signal: 0) == .failed)
        let stored = try store.run(run.runId)
        #expect(stored.summary.state == .failed && stored.jobs.map(\.state) == ["succeeded", "user_error"])
    }

    @Test func aCancelledRunExits130Or143BySignal() throws {
        let run = try PreparedRun(source: Self.source([JobDefinition(name: "long", command: .shell("sleep 30"))]),
                                  options: try Self.options(["--grace-period", "0.2"]),
                                  environment: Environment(ProcessInfo.processInfo.environment), store: nil)
        run.start()
        run.connection.stop(immediate: false)
        #expect(Self.waitForFinish(run))
        _ = run.closeRecording()
        #expect(run.outcome == .cancelled)
        #expect(run.exitCode(signal: SIGTERM) == .terminated && run.exitCode(signal: SIGINT) == .interrupted)
    }

    /// Remote jobs get their expected durations from the history's past successes of the same meta job and
    /// job name, so their status checks are timed by them; a job the history does not know gets none.
    @Test func remoteJobsTakeTheirExpectedDurationsFromTheHistory() throws {
        let dir = NSTemporaryDirectory() + "prepared-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try HistoryStore(path: dir + "/history.sqlite")
        let environment = Environment(ProcessInfo.processInfo.environment)
        for _ in 0..<2 {
            let local = try PreparedRun(source: Self.source([JobDefinition(name: "ingest-job", command: .shell("sleep 0.2"))]),
                                        options: try Self.options(), environment: environment, store: store)
            local.start()
            #expect(Self.waitForFinish(local))
            _ = local.closeRecording()
        }
        var variables = ProcessInfo.processInfo.environment
        variables["VDK_CONTROL_SERVICE_REST_API_URL"] = "http://127.0.0.1:9"
        let jobs = [JobDefinition(name: "ingest-job", teamName: "team-a", executor: .remote),
                    JobDefinition(name: "fresh-job", teamName: "team-a", executor: .remote)]
        let remote = try PreparedRun(source: Self.source(jobs), options: try Self.options(), environment: Environment(variables), store: store)
        defer { _ = remote.closeRecording() }
        let expected = try #require(remote.remoteConfiguration?.expectedDurations)
        #expect(Set(expected.keys) == ["ingest-job"])
        let estimate = try #require(expected["ingest-job"])
        #expect(estimate.sampleCount == 2 && estimate.median >= 0.2 && estimate.median < 2, "\(estimate)")
        // Without a history there is nothing to time them by.
        let unrecorded = try PreparedRun(source: Self.source(jobs), options: try Self.options(), environment: Environment(variables), store: nil)
        #expect(unrecorded.remoteConfiguration?.expectedDurations.isEmpty == true)
        _ = unrecorded.closeRecording()
    }

    @Test func aBadSettingIsAProblemBeforeAnythingStarts() throws {
        #expect(throws: PreparedRun.Problem.self) {
            try PreparedRun(source: Self.source([JobDefinition(name: "a", command: .shell("true"))]),
                            options: try Self.options(["--max-concurrent", "0"]),
                            environment: Environment([:]), store: nil)
        }
        let remote = [JobDefinition(name: "r", executor: .remote)]
        let options = try Self.options()
        do throws(PreparedRun.Problem) {
            _ = try PreparedRun(source: Self.source(remote), options: options, environment: Environment([:]), store: nil)
            Issue.record("a remote job without a Control Service URL must not start")
        } catch {
            #expect(error.text.contains("error:"), "\(error.text)")
        }
    }
}
