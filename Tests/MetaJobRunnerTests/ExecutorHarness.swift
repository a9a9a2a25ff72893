import Dispatch
import Foundation
import MetaJobCore
@testable import MetaJobRunner
#if canImport(Glibc)
import Glibc
#endif

/// Drives a `LocalExecutor` on its own serial queue and records every event, for tests to wait on.
final class ExecutorHarness: @unchecked Sendable {
    let queue = DispatchQueue(label: "metajob.test.runner")
    private let condition = NSCondition()
    private var recorded: [ExecutorEvent] = []
    private var nextJob = 0
    // True while a test's call into the executor is on the stack: an event then would be re-entrant.
    private var insideCall = false
    /// Events delivered synchronously from inside `start`/`terminate`, or off the queue (must stay 0).
    private(set) var violations = 0
    /// Called on the queue after a `.finished` is recorded.
    var onFinished: ((AttemptKey, AttemptOutcome) -> Void)?
    private(set) var executor: LocalExecutor!

    init(baseEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        // Weak: a test that fails early may leave a job whose events outlive the harness.
        executor = LocalExecutor(queue: queue, baseEnvironment: baseEnvironment) { [weak self] event in
            self?.record(event)
        }
    }

    private func record(_ event: ExecutorEvent) {
        // onEvent must come on the queue, and never from inside start/terminate.
        dispatchPrecondition(condition: .onQueue(queue))
        condition.lock()
        if insideCall { violations += 1 }
        recorded.append(event)
        condition.broadcast()
        condition.unlock()
        if case .finished(let key, let outcome) = event { onFinished?(key, outcome) }
    }

    func newKey() -> AttemptKey {
        condition.lock()
        defer { condition.unlock() }
        nextJob += 1
        return AttemptKey(job: nextJob, attempt: 1)
    }

    func shell(_ script: String, workingDirectory: String = "/", environment: [String: String] = [:],
               vdkSummaryPath: String? = nil) -> LaunchRequest {
        LaunchRequest(key: newKey(), jobName: "test", argv: ["/bin/sh", "-c", script],
                      workingDirectory: workingDirectory, environment: environment, vdkSummaryPath: vdkSummaryPath)
    }

    /// Starts on the queue (as the runner does) and returns the key.
    @discardableResult
    func start(_ request: LaunchRequest) -> AttemptKey {
        queue.sync {
            setInside(true)
            executor.start(request)
            setInside(false)
        }
        return request.key
    }

    /// Starts from code already on the queue (an `onFinished` callback).
    func startOnQueue(_ request: LaunchRequest) {
        setInside(true)
        executor.start(request)
        setInside(false)
    }

    func terminate(_ key: AttemptKey, graceSeconds: Double) {
        queue.sync {
            setInside(true)
            executor.terminate(key, graceSeconds: graceSeconds)
            setInside(false)
        }
    }

    private func setInside(_ value: Bool) {
        condition.lock()
        insideCall = value
        condition.unlock()
    }

    /// Every event recorded so far for `key`, in order.
    func events(for key: AttemptKey) -> [ExecutorEvent] {
        condition.lock()
        defer { condition.unlock() }
        return recorded.filter { $0.key == key }
    }

    /// Waits until `predicate` holds for the recorded events, or `timeout` passes. Returns whether it held.
    func wait(timeout: Double = 30, until predicate: ([ExecutorEvent]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !predicate(recorded) {
            if !condition.wait(until: deadline) { return predicate(recorded) }
        }
        return true
    }

    /// The outcome of `key` once finished, or nil after `timeout`.
    func waitFinished(_ key: AttemptKey, timeout: Double = 30) -> AttemptOutcome? {
        var outcome: AttemptOutcome?
        _ = wait(timeout: timeout) { events in
            for case .finished(let k, let o) in events where k == key {
                outcome = o
                return true
            }
            return false
        }
        return outcome
    }

    /// All lines `key` wrote to `stream` so far, in order.
    func lines(_ key: AttemptKey, _ stream: LogStream) -> [[UInt8]] {
        events(for: key).flatMap { event -> [[UInt8]] in
            if case .output(_, let s, let lines) = event, s == stream { return lines.map { Array($0) } }
            return []
        }
    }

    /// Waits for the first line `key` writes to `stream`, as text.
    func waitFirstLine(_ key: AttemptKey, _ stream: LogStream = .stdout, timeout: Double = 30) -> String? {
        var line: String?
        _ = wait(timeout: timeout) { events in
            for case .output(let k, let s, let lines) in events where k == key && s == stream && !lines.isEmpty {
                line = String(decoding: lines[0], as: UTF8.self)
                return true
            }
            return false
        }
        return line
    }
}

extension ExecutorEvent {
    var key: AttemptKey {
        switch self {
        case .started(let key, _), .output(let key, _, _), .finished(let key, _), .refused(let key, _): return key
        }
    }
}

/// Test helpers about processes and files.
enum ProcessProbe {
    /// True while `pid` exists and is not a zombie. (PID 1 of some containers never reaps orphans, so an
    /// orphan killed by the executor may stay a zombie: dead, which is what the tests care about.)
    static func isRunning(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return errno != ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Waits (with a deadline, polling the kernel's state) until `pid` is no longer running.
    static func waitGone(_ pid: pid_t, timeout: Double = 10) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while isRunning(pid) {
            if Date() > deadline { return false }
            usleep(2_000)
        }
        return true
    }

    static func openFDCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static func makeTemporaryDirectory() -> String {
        var template = Array((NSTemporaryDirectory() + "/metajob-test-XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(path != nil)
        // The job sees the real path in `pwd`.
        return URL(fileURLWithPath: String(cString: path!)).resolvingSymlinksInPath().path
    }
}
