import Dispatch
import Foundation
import MetaJobCore
import MetaJobScreen
import Testing
@testable import MetaJobCLI

/// The feed between the runner's queue and the UI queue: snapshot first, every event once and in order,
/// in a few batches rather than one delivery per event, and nothing after it is closed.
@Suite struct DashboardFeedTests {
    /// Collects what the feed delivers (on the UI queue).
    final class Inbox: @unchecked Sendable {
        private let lock = NSLock()
        private var deliveries: [[DashboardMessage]] = []
        func add(_ messages: [DashboardMessage]) { lock.lock(); deliveries.append(messages); lock.unlock() }
        var all: [[DashboardMessage]] { lock.lock(); defer { lock.unlock() }; return deliveries }
    }

    private static func snapshot() -> RunSnapshot {
        let graph = JobGraph(names: ["a"], dependsOn: [[]])
        let definition = JobDefinition(name: "a", dependsOn: [])
        let state = RunState(graph: graph, plans: [JobPlan(definition)], settings: RunSettings(), seed: 1)
        return RunSnapshot(info: RunInfo(runId: "r", metaJobName: "m", startedBy: "manual/m", jobs: [definition]),
                           state: state, sequence: 0, wallClockOrigin: 0)
    }

    @Test func burstArrivesInOrderInFewBatchesAfterTheSnapshot() throws {
        let ui = DispatchQueue(label: "test.ui")
        let runnerQueue = DispatchQueue(label: "test.runner")
        let inbox = Inbox()
        let feed = DashboardFeed(ui: ui) { inbox.add($0) }
        let count = 2_000
        runnerQueue.sync {
            feed.attach(Self.snapshot())
            for i in 1 ... count {
                feed.receive(RunEvent(sequence: UInt64(i), time: Double(i), kind: .controls(paused: false, limit: i)))
            }
        }
        // Wait (bounded) until every event has come through the UI queue.
        let deadline = Date().addingTimeInterval(10)
        var delivered: [UInt64] = []
        while Date() < deadline {
            ui.sync {}
            delivered = inbox.all.flatMap { batch in batch.flatMap { message -> [UInt64] in
                if case .events(let events) = message { return events.map(\.sequence) }
                return []
            } }
            if delivered.count >= count { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(delivered == (1 ... UInt64(count)).map { $0 }, "every event once, in order")
        let first = try #require(inbox.all.first?.first)
        guard case .live = first else {
            Issue.record("the snapshot must come first, got \(first)")
            return
        }
        let eventBatches = inbox.all.filter { batch in batch.contains { if case .events = $0 { return true } else { return false } } }
        #expect(eventBatches.count <= 10, "a burst is coalesced, not delivered event by event (\(eventBatches.count) batches)")
    }

    @Test func nothingIsDeliveredAfterClose() {
        let ui = DispatchQueue(label: "test.ui")
        let inbox = Inbox()
        let feed = DashboardFeed(ui: ui) { inbox.add($0) }
        feed.close()
        feed.receive(RunEvent(sequence: 1, time: 1, kind: .runStarted))
        // Anything scheduled would run within the 1/30 s interval; the UI queue is drained past it.
        ui.asyncAfter(deadline: .now() + 0.1) {}
        Thread.sleep(forTimeInterval: 0.15)
        ui.sync {}
        #expect(inbox.all.isEmpty)
    }
}
