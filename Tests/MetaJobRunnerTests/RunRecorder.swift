import Dispatch
import Foundation
import MetaJobCore
@testable import MetaJobRunner

/// Collects a run's events for assertions and lets a test wait for the end without fixed sleeps.
final class RunRecorder: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var snapshot: RunSnapshot?
    private var eventsStore: [RunEvent] = []
    private let done = DispatchSemaphore(value: 0)

    func attach(_ snapshot: RunSnapshot) {
        lock.lock(); self.snapshot = snapshot; lock.unlock()
    }

    func receive(_ event: RunEvent) {
        lock.lock(); eventsStore.append(event); lock.unlock()
        if case .runFinished = event.kind { done.signal() }
    }

    var events: [RunEvent] { lock.lock(); defer { lock.unlock() }; return eventsStore }

    /// Waits until the run finishes (at most `seconds`); returns false on timeout.
    func waitForFinish(seconds: Double = 30) -> Bool {
        done.wait(timeout: .now() + seconds) == .success
    }

    /// Job updates as (name, state, attempt).
    var updates: [(name: String, update: JobUpdate)] {
        let names = snapshot!.outline.jobs.map(\.name)
        return events.compactMap { if case .job(let u) = $0.kind { return (names[u.job], u) } else { return nil } }
    }

    /// Lines a job wrote, as strings (lossy), per stream.
    func lines(_ job: String, _ stream: LogStream = .stdout) -> [String] {
        rawLines(job, stream).map { String(decoding: $0, as: UTF8.self) }
    }

    func rawLines(_ job: String, _ stream: LogStream = .stdout) -> [[UInt8]] {
        let j = snapshot!.outline.jobs.firstIndex { $0.name == job }!
        return events.flatMap { event -> [[UInt8]] in
            if case let .log(job, _, s, lines) = event.kind, job == j, s == stream { return lines.map { Array($0) } } else { return [] }
        }
    }

    /// The first time each job reached `state`, in event order.
    func order(of state: JobState) -> [String] { updates.filter { $0.update.state == state }.map(\.name) }

    var outcome: RunOutcome? {
        for e in events.reversed() { if case .runFinished(let o) = e.kind { return o } }
        return nil
    }
}

/// Builds a runner over local processes for a definition written inline.
enum LocalRun {
    static func make(_ jobs: [JobDefinition], settings: RunSettings = RunSettings(),
                     directory: String = NSTemporaryDirectory()) -> (Runner, RunRecorder) {
        let definition = MetaJobDefinition(name: "test", jobs: jobs, directory: directory)
        let resolved = try! JobResolver.resolve(definition, defaultExecutor: .local, localRunJobPath: nil).get()
        let info = RunInfo(runId: RunID.make(at: SystemClock().wall()), metaJobName: "test", startedBy: "manual/test", jobs: jobs)
        let runner = Runner(info: info, jobs: resolved, settings: settings) { _, queue, sink in
            LocalExecutor(queue: queue, onEvent: sink)
        }
        let recorder = RunRecorder()
        runner.subscribe(recorder)
        return (runner, recorder)
    }

    static func job(_ name: String, _ deps: [String] = [], _ script: String, retries: Int = 0, retryDelay: Double = 0.05,
                    failDag: Bool = true, arguments: JSONValue? = nil, timeout: Double? = nil) -> JobDefinition {
        JobDefinition(name: name, dependsOn: deps, failDagOnError: failDag, arguments: arguments, command: .shell(script),
                      timeoutSeconds: timeout, retries: retries, retryDelaySeconds: retryDelay)
    }
}
