import Foundation
import MetaJobCore
import MetaJobRunner
import MetaJobTestSupport

/// The remote configuration of `TestRun`: runners whose remote jobs run on a `FakeControlService`.
enum RemoteRun {
    static let startedBy = "manual/test"

    /// `requestTimeout` defaults far above any answer time: the test process shares two cooperative threads
    /// with blocking tests, and only the tests about timeouts should ever see one.
    static func make(_ jobs: [JobDefinition], server: FakeControlService, serviceURL: String? = nil, limit: Int = 15, interval: Double = 0.05,
                     requestTimeout: Double = 60, token: String? = nil, adopt: [String: String] = [:],
                     defaultExecutor: ExecutorKind = .remote, expected: [String: DurationEstimate] = [:]) -> (Runner, RunEvents) {
        let configuration = RemoteConfiguration(baseURL: URL(string: serviceURL ?? server.url)!, statusCheckSeconds: interval, apiToken: token,
                                                authorizationURL: token == nil ? nil : URL(string: server.tokenURL),
                                                requestTimeoutSeconds: requestTimeout, adoptExecutions: adopt,
                                                expectedDurations: expected)
        let settings = RunSettings(maxConcurrentRunningJobs: limit, delayedJobsMinDelaySeconds: 0.05,
                                   delayedJobsRandomizedAddedDelaySeconds: 0.05, terminationGraceSeconds: 1)
        return TestRun.make(jobs, settings: settings, defaultExecutor: defaultExecutor, startedBy: startedBy) { kind, queue, sink in
            if kind == .remote { return RemoteExecutor(queue: queue, configuration: configuration, onEvent: sink) }
            return LocalExecutor(queue: queue, onEvent: sink)
        }
    }

    /// VEP-1243 Appendix A's shape, time scaled down (E = 2.25 s; with S = 0.1 s the same E/S of 22.5): six jobs
    /// job1 … job6 and the service that runs each for `runSeconds` (2.25 s).
    static func appendixA(runSeconds: Double = 2.25) async throws -> (FakeControlService, [JobDefinition]) {
        var scripts: [String: FakeControlService.Script] = [:]
        for n in (1...6).map({ "job\($0)" }) { scripts[n] = FakeControlService.Script(runSeconds: runSeconds) }
        let server = try await FakeControlService(scripts: scripts)
        let jobs = [job("job1"), job("job2", ["job1"]), job("job3", ["job1"]),
                    job("job4", ["job1"]), job("job5", ["job2", "job3"]), job("job6", ["job4"])]
        return (server, jobs)
    }

    static func job(_ name: String, _ deps: [String] = [], arguments: JSONValue? = nil, failDag: Bool = true,
                    executor: ExecutorKind? = nil, command: String? = nil) -> JobDefinition {
        JobDefinition(name: name, teamName: "team-a", dependsOn: deps, failDagOnError: failDag, arguments: arguments,
                      command: command.map { .shell($0) }, executor: executor)
    }
}
