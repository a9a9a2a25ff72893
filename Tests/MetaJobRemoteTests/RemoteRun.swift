import Foundation
import MetaJobCore
import MetaJobRunner

/// Collects a run's events for assertions and lets a test wait for the end without fixed sleeps.
final class RunEvents: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    private var store: [RunEvent] = []
    private let done = DispatchSemaphore(value: 0)

    func attach(_ snapshot: RunSnapshot) {
        lock.lock(); names = snapshot.state.graph.names; lock.unlock()
    }

    func receive(_ event: RunEvent) {
        lock.lock(); store.append(event); lock.unlock()
        if case .runFinished = event.kind { done.signal() }
    }

    var events: [RunEvent] { lock.lock(); defer { lock.unlock() }; return store }

    func waitForFinish(seconds: Double = 60) -> Bool { done.wait(timeout: .now() + seconds) == .success }

    /// Waits for the end off the cooperative pool, so the loopback server's tasks keep their threads.
    func finish(seconds: Double = 60) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.waitForFinish(seconds: seconds)) }
        }
    }

    var updates: [(name: String, update: JobUpdate)] {
        lock.lock(); let names = self.names; lock.unlock()
        return events.compactMap { if case .job(let u) = $0.kind { return (names[u.job], u) } else { return nil } }
    }

    func lines(_ job: String, _ stream: LogStream = .stdout) -> [String] {
        lock.lock(); let j = names.firstIndex(of: job)!; lock.unlock()
        return events.flatMap { event -> [String] in
            if case let .log(job, _, s, lines) = event.kind, job == j, s == stream {
                return lines.map { String(decoding: Array($0), as: UTF8.self) }
            }
            return []
        }
    }

    func order(of state: JobState) -> [String] { updates.filter { $0.update.state == state }.map(\.name) }

    var outcome: RunOutcome? {
        for e in events.reversed() { if case .runFinished(let o) = e.kind { return o } }
        return nil
    }

    /// Everything the run published, as text, to search for secrets.
    var allText: String { events.map { "\($0)" }.joined(separator: "\n") }
}

/// Builds runners whose remote jobs run on a `FakeControlService`.
enum RemoteRun {
    static let startedBy = "manual/test"

    static func make(_ jobs: [JobDefinition], server: FakeControlService, limit: Int = 15, interval: Double = 0.05,
                     requestTimeout: Double = 5, token: String? = nil, adopt: [String: String] = [:],
                     defaultExecutor: ExecutorKind = .remote) -> (Runner, RunEvents) {
        let directory = NSTemporaryDirectory()
        let definition = MetaJobDefinition(name: "test", jobs: jobs, directory: directory)
        let resolved = try! JobResolver.resolve(definition, defaultExecutor: defaultExecutor, localRunJobPath: nil).get()
        let info = RunInfo(runId: RunID.make(at: SystemClock().wall()), metaJobName: "test", startedBy: startedBy, jobs: jobs)
        let configuration = RemoteConfiguration(baseURL: URL(string: server.url)!, statusCheckSeconds: interval, apiToken: token,
                                                authorizationURL: token == nil ? nil : URL(string: server.tokenURL),
                                                requestTimeoutSeconds: requestTimeout, adoptExecutions: adopt)
        let settings = RunSettings(maxConcurrentRunningJobs: limit, delayedJobsMinDelaySeconds: 0.05,
                                   delayedJobsRandomizedAddedDelaySeconds: 0.05, terminationGraceSeconds: 1)
        let runner = Runner(info: info, jobs: resolved, settings: settings) { kind, queue, sink in
            if kind == .remote { return RemoteExecutor(queue: queue, configuration: configuration, onEvent: sink) }
            return LocalExecutor(queue: queue, onEvent: sink)
        }
        let events = RunEvents()
        runner.subscribe(events)
        return (runner, events)
    }

    static func job(_ name: String, _ deps: [String] = [], arguments: JSONValue? = nil, failDag: Bool = true,
                    executor: ExecutorKind? = nil, command: String? = nil) -> JobDefinition {
        JobDefinition(name: name, teamName: "team-a", dependsOn: deps, failDagOnError: failDag, arguments: arguments,
                      command: command.map { .shell($0) }, executor: executor)
    }
}
