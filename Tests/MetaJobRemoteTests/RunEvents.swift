import Foundation
import MetaJobCore
import MetaJobRunner

/// Collects a run's events for assertions and lets a test wait for the end without fixed sleeps.
final class RunEvents: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    private var store: [RunEvent] = []
    private let done = DispatchSemaphore(value: 0)
    /// Broadcast after every event, for `until`.
    private let changed = NSCondition()

    func attach(_ snapshot: RunSnapshot) {
        lock.lock(); names = snapshot.outline.jobs.map(\.name); lock.unlock()
    }

    func receive(_ event: RunEvent) {
        lock.lock(); store.append(event); lock.unlock()
        if case .runFinished = event.kind { done.signal() }
        changed.lock(); changed.broadcast(); changed.unlock()
    }

    /// Waits until `condition` holds, looking again after each event; false when `seconds` pass first.
    /// Off the cooperative pool, so the loopback server's tasks keep their threads.
    func until(seconds: Double = 30, _ condition: @escaping @Sendable (RunEvents) -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
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

    /// The states `job` went through, in order.
    func states(of job: String) -> [JobState] { updates.filter { $0.name == job }.map(\.update.state) }

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
