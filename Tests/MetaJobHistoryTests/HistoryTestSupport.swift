import Dispatch
import Foundation
import MetaJobCore
@testable import MetaJobHistory
@testable import MetaJobRunner
import MetaJobTestSupport

/// A fresh directory per test: every test works on its own real SQLite file.
func temporaryHistoryPath(_ name: String = "history.sqlite") -> String {
    let dir = NSTemporaryDirectory() + "metajob-history-tests-" + UUID().uuidString
    return dir + "/nested/" + name
}

/// A NewRun for `jobs` with test defaults.
func newRun(_ runId: String, metaJob: String = "test", startedAt: Double = Date().timeIntervalSince1970,
            jobs: [NewRunJob], resumedFrom: String? = nil) -> NewRun {
    NewRun(runId: runId, metaJob: metaJob, startedAt: startedAt, startedBy: "manual/\(metaJob)",
           workingDirectory: "/tmp", commandLine: ["metajob", "run", "\(metaJob).yaml"],
           definitionPath: "/tmp/\(metaJob).yaml", definitionText: Array("name: \(metaJob)\n".utf8),
           settingsJSON: "{\"max_concurrent_running_jobs\":15}", resumedFrom: resumedFrom, jobs: jobs)
}

/// Records a finished run without a runner: each job goes submitted → running → its final state.
@discardableResult
func recordFinished(_ store: HistoryStore, _ runId: String, metaJob: String = "test", startedAt: Double,
                    outcome: RunOutcome?, jobs: [(String, JobState)], logLines: Int = 0) throws -> HistoryRecorder {
    let recorder = try HistoryRecorder(store: store, run: newRun(runId, metaJob: metaJob, startedAt: startedAt,
                                                                 jobs: jobs.map { NewRunJob(name: $0.0) }))
    var sequence: UInt64 = 0
    func send(_ kind: RunEvent.Kind) {
        sequence += 1
        recorder.receive(RunEvent(sequence: sequence, time: startedAt + Double(sequence) * 0.001, kind: kind))
    }
    for (j, (_, state)) in jobs.enumerated() {
        send(.job(JobUpdate(job: j, state: .submitted, attempt: 1)))
        send(.job(JobUpdate(job: j, state: .running, attempt: 1)))
        for i in 0..<logLines { send(.log(job: j, attempt: 1, stream: .stdout, lines: LogLines([Array("line \(i)".utf8)]))) }
        send(.job(JobUpdate(job: j, state: state, attempt: 1, exitCode: state == .succeeded ? 0 : 1)))
    }
    if let outcome {
        send(.runFinished(outcome))
        recorder.close(outcome: outcome)
    } else {
        recorder.sync()
    }
    return recorder
}

/// A real local run (`TestRun`: Runner + LocalExecutor, as in the runner's tests) recorded through a HistoryRecorder.
enum RecordedLocalRun {
    static func run(_ jobs: [JobDefinition], store: HistoryStore?, settings: RunSettings = RunSettings(),
                    directory: String = NSTemporaryDirectory()) throws -> (runId: String, outcome: RunOutcome?) {
        let (runner, events) = TestRun.make(jobs, settings: settings, directory: directory)
        // The recorder is the observer under test here (and the speed test measures it alone).
        runner.unsubscribe(events)
        let runId = runner.info.runId
        let run = newRun(runId, jobs: jobs.map {
            NewRunJob(name: $0.name, team: $0.teamName, failDagOnError: $0.failDagOnError, dependsOn: $0.dependsOn)
        })
        let recorder = try store.map { try HistoryRecorder(store: $0, run: run) }
        if let recorder { runner.subscribe(recorder) }
        let done = DispatchSemaphore(value: 0)
        let box = OutcomeBox()
        runner.onFinish { outcome in box.set(outcome); done.signal() }
        runner.start()
        _ = done.wait(timeout: .now() + 60)
        recorder?.close(outcome: box.value)
        return (runId, box.value)
    }
}

/// The first outcome a run reports, shared with the runner's queue.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: RunOutcome?
    func set(_ outcome: RunOutcome) { lock.lock(); if stored == nil { stored = outcome }; lock.unlock() }
    var value: RunOutcome? { lock.lock(); defer { lock.unlock() }; return stored }
}
