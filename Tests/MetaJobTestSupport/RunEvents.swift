import Dispatch
import Foundation
import MetaJobCore

/// Collects a run's events for assertions and lets a test wait for a condition or the end without fixed
/// sleeps. The one event collector of every test target (runner, history, remote, fake-executor tests).
public final class RunEvents: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var snapshotStore: RunSnapshot?
    private var names: [String] = []
    private var store: [RunEvent] = []
    private var lostError: RunConnectionError?
    private let done = DispatchSemaphore(value: 0)
    /// Broadcast after every event, for `until`.
    private let changed = NSCondition()

    /// An empty collector; subscribe it to a runner.
    public init() {}

    public func attach(_ snapshot: RunSnapshot) {
        lock.lock()
        snapshotStore = snapshot
        names = snapshot.outline.jobs.map(\.name)
        lock.unlock()
    }

    public func receive(_ event: RunEvent) {
        lock.lock(); store.append(event); lock.unlock()
        if case .runFinished = event.kind { done.signal() }
        changed.lock(); changed.broadcast(); changed.unlock()
    }

    public func connectionLost(_ error: RunConnectionError) {
        lock.lock(); lostError = error; lock.unlock()
        changed.lock(); changed.broadcast(); changed.unlock()
    }

    /// Why the connection was lost, once it was.
    public var lost: RunConnectionError? { lock.lock(); defer { lock.unlock() }; return lostError }

    /// The snapshot the collector was attached with.
    public var snapshot: RunSnapshot? { lock.lock(); defer { lock.unlock() }; return snapshotStore }

    /// Every event received, in order.
    public var events: [RunEvent] { lock.lock(); defer { lock.unlock() }; return store }

    /// Waits until the run finishes (at most `seconds`); false on timeout.
    public func waitForFinish(seconds: Double = 60) -> Bool { done.wait(timeout: .now() + seconds) == .success }

    /// Waits for the end off the cooperative pool, so a loopback server's tasks keep their threads.
    public func finish(seconds: Double = 60) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.waitForFinish(seconds: seconds)) }
        }
    }

    /// Waits until `condition` holds, looking again after each event; false when `seconds` pass first.
    /// Off the cooperative pool, so a loopback server's tasks keep their threads.
    public func until(seconds: Double = 30, _ condition: @escaping @Sendable (RunEvents) -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(seconds)
                self.changed.lock()
                defer { self.changed.unlock() }
                while !condition(self) {
                    if !self.changed.wait(until: deadline) {
                        continuation.resume(returning: condition(self))
                        return
                    }
                }
                continuation.resume(returning: true)
            }
        }
    }

    /// Job updates with the job's name, in order.
    public var updates: [(name: String, update: JobUpdate)] {
        lock.lock(); let names = self.names; lock.unlock()
        return events.compactMap { if case .job(let u) = $0.kind { return (names[u.job], u) } else { return nil } }
    }

    /// The states `job` went through, in order.
    public func states(of job: String) -> [JobState] { updates.filter { $0.name == job }.map(\.update.state) }

    /// The last update of `job`, if any.
    public func last(_ job: String) -> JobUpdate? { updates.last { $0.name == job }?.update }

    /// Jobs in the order they (first and again) reached `state`.
    public func order(of state: JobState) -> [String] { updates.filter { $0.update.state == state }.map(\.name) }

    /// Lines a job wrote to `stream`, as strings (lossy).
    public func lines(_ job: String, _ stream: LogStream = .stdout) -> [String] {
        rawLines(job, stream).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Lines a job wrote to `stream`, as bytes.
    public func rawLines(_ job: String, _ stream: LogStream = .stdout) -> [[UInt8]] {
        lock.lock(); let j = names.firstIndex(of: job); lock.unlock()
        guard let j else { return [] }
        return events.flatMap { event -> [[UInt8]] in
            if case let .log(job, _, s, lines) = event.kind, job == j, s == stream { return lines.map { Array($0) } }
            return []
        }
    }

    /// Every change of the controls, as "paused=… limit=…", in order.
    public var controls: [String] {
        events.compactMap { if case let .controls(paused, limit) = $0.kind { return "paused=\(paused) limit=\(limit)" } else { return nil } }
    }

    /// How many times a finished run was reopened (by a retry).
    public var reopenings: Int { events.filter { if case .runReopened = $0.kind { return true } else { return false } }.count }

    /// How the run ended, once it has.
    public var outcome: RunOutcome? {
        for e in events.reversed() { if case .runFinished(let o) = e.kind { return o } }
        return nil
    }

    /// Everything the run published, as text, to search for secrets.
    public var allText: String { events.map { "\($0)" }.joined(separator: "\n") }
}
