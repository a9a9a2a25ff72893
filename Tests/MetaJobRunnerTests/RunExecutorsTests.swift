import Dispatch
import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner

/// Executor wiring: which executors a run gets, and that local output passes the redactor.
@Suite("Run executors")
struct RunExecutorsTests {
    static func local(_ name: String, _ script: String) -> ResolvedJob {
        ResolvedJob(definition: JobDefinition(name: name, command: .shell(script)), executor: .local,
                    argv: ["/bin/sh", "-c", script], workingDirectory: NSTemporaryDirectory())
    }

    @Test func localJobsGetAWatchdogAndNoRemoteConfiguration() {
        let executors = RunExecutors(jobs: [Self.local("a", "true")], remote: nil, baseEnvironment: [:], graceSeconds: 1)
        defer { executors.close() }
        #expect(executors.remote == nil)
        #expect(executors.watchdog != nil || !executors.warnings.isEmpty, "a watchdog, or a warning saying why not")
        #expect(executors.redactor == nil, "no secret in the environment: output passes untouched")
    }

    @Test func aLocalJobsOutputIsRedactedOnItsWayToTheRunner() throws {
        let token = "rt-wiring-test-0123456789"
        let job = Self.local("leak", "printf 'before %s after\\n' \"$VDK_API_TOKEN\"")
        let executors = RunExecutors(jobs: [job], remote: nil, baseEnvironment: ["VDK_API_TOKEN": token, "PATH": "/usr/bin:/bin"],
                                     graceSeconds: 1)
        defer { executors.close() }
        let queue = DispatchQueue(label: "test.runner")
        let done = DispatchSemaphore(value: 0)
        let box = LinesBox()
        let executor = queue.sync {
            executors.make(.local, queue: queue) { event in
                switch event {
                case let .output(_, _, lines): box.add(lines)
                case .finished: done.signal()
                default: break
                }
            }
        }
        let request = LaunchRequest(key: AttemptKey(job: 0, attempt: 1), jobName: "leak", teamName: nil, argv: job.argv,
                                    workingDirectory: job.workingDirectory, environment: [:], vdkSummaryPath: nil,
                                    arguments: nil, startedBy: "manual/test")
        queue.sync { executor.start(request) }
        #expect(done.wait(timeout: .now() + 30) == .success)
        queue.sync {}
        #expect(box.text == ["before [redacted] after"])
    }
}

/// Lines collected from the executor's queue.
final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ batch: LogLines) { lock.lock(); lines += batch.map { String(decoding: $0, as: UTF8.self) }; lock.unlock() }
    var text: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
