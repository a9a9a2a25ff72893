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

    /// The log lines delivered to `inbox` as text, the lines counted as skipped and the sequence numbers of
    /// the other events; also checks that each skip message comes before the events of its delivery.
    private static func logs(in inbox: Inbox) -> (lines: [String], skipped: Int, otherEvents: [UInt64]) {
        var lines: [String] = [], skipped = 0, others: [UInt64] = []
        for batch in inbox.all {
            var sawEvents = false
            for message in batch {
                switch message {
                case .logLinesSkipped(_, _, let count):
                    #expect(!sawEvents, "a skip message after the events it precedes")
                    skipped += count
                case .events(let events):
                    sawEvents = true
                    for event in events {
                        if case .log(_, _, _, let batchLines) = event.kind {
                            lines += batchLines.map { String(decoding: $0, as: UTF8.self) }
                        } else {
                            others.append(event.sequence)
                        }
                    }
                default: break
                }
            }
        }
        return (lines, skipped, others)
    }

    /// Runs `feedEvents` on a runner queue while the UI queue is held busy (a UI that cannot keep up), then
    /// lets the UI go and waits (bounded) until the feed has delivered to `inbox`.
    private static func deliverWhileUIIsBusy(_ inbox: Inbox, ui: DispatchQueue, _ feedEvents: () -> Void) {
        let hold = DispatchSemaphore(value: 0)
        ui.async { hold.wait() }
        feedEvents()
        hold.signal()
        let deadline = Date().addingTimeInterval(10)
        while inbox.all.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        ui.sync {}
        #expect(inbox.all.count == 1, "one delivery for everything that came while the UI was busy")
    }

    /// A flood the UI cannot keep up with: of 1,000,000 lines in 1,000 events, only the newest 20,000 (one
    /// delivery's budget, also what the screen keeps) are delivered, the rest are counted as skipped, other
    /// events all arrive in order.
    @Test func floodBeyondWhatTheScreenKeepsIsCountedNotDelivered() {
        let ui = DispatchQueue(label: "test.ui")
        let inbox = Inbox()
        let feed = DashboardFeed(ui: ui) { inbox.add($0) }
        var sequence: UInt64 = 0
        Self.deliverWhileUIIsBusy(inbox, ui: ui) {
            for chunk in 0 ..< 1_000 {
                sequence += 1
                feed.receive(RunEvent(sequence: sequence, time: 0, kind: .controls(paused: false, limit: chunk + 1)))
                let lines = LogLines((0 ..< 1_000).map { Array("line \(chunk * 1_000 + $0)".utf8) })
                feed.receive(RunEvent(sequence: sequence + 1, time: 0, kind: .log(job: 0, attempt: 1, stream: .stdout, lines: lines)))
                sequence += UInt64(lines.count)
            }
        }
        let delivered = Self.logs(in: inbox)
        #expect(delivered.lines.count == DashboardFeed.linesPerDelivery)
        #expect(delivered.lines.first == "line \(1_000_000 - DashboardFeed.linesPerDelivery)", "the newest lines are kept")
        #expect(delivered.lines.last == "line 999999")
        #expect(delivered.skipped == 1_000_000 - DashboardFeed.linesPerDelivery, "every dropped line is counted")
        #expect(delivered.otherEvents.count == 1_000, "no other event is dropped")
        #expect(delivered.otherEvents == delivered.otherEvents.sorted())
    }

    /// One read holding 500,000 lines is cut too, and of lines of 1 MiB only the newest goes (a line is never cut).
    @Test func oneHugeBatchAndHugeLinesAreCutToWhatTheScreenKeeps() {
        let ui = DispatchQueue(label: "test.ui")
        let inbox = Inbox()
        let feed = DashboardFeed(ui: ui) { inbox.add($0) }
        Self.deliverWhileUIIsBusy(inbox, ui: ui) {
            let lines = LogLines((0 ..< 500_000).map { Array("y\($0)".utf8) })
            feed.receive(RunEvent(sequence: 1, time: 0, kind: .log(job: 0, attempt: 1, stream: .stdout, lines: lines)))
        }
        let one = Self.logs(in: inbox)
        #expect(one.lines.count == DashboardFeed.linesPerDelivery)
        #expect(one.lines.last == "y499999")
        #expect(one.skipped == 500_000 - DashboardFeed.linesPerDelivery)

        let bigInbox = Inbox()
        let bigFeed = DashboardFeed(ui: ui) { bigInbox.add($0) }
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        Self.deliverWhileUIIsBusy(bigInbox, ui: ui) {
            for i in 0 ..< 50 {
                bigFeed.receive(RunEvent(sequence: UInt64(i + 1), time: 0, kind: .log(job: 0, attempt: 1, stream: .stdout, lines: LogLines([piece]))))
            }
        }
        let big = Self.logs(in: bigInbox)
        #expect(big.lines.count == 1, "\(big.lines.count) lines of 1 MiB delivered at once")
        #expect(big.skipped == 49)
    }

    /// Fifteen jobs flooding lines of NULs at once share one budget per delivery: what is delivered stays within
    /// it (give or take one line per attempt), every attempt shows its newest lines, every dropped line is counted.
    @Test func severalFloodsShareOneBudgetPerDelivery() {
        let ui = DispatchQueue(label: "test.ui")
        let inbox = Inbox()
        let feed = DashboardFeed(ui: ui) { inbox.add($0) }
        let line = [UInt8](repeating: 0, count: 3_000)  // NULs: the costliest bytes to show
        let event = LogLines(Array(repeating: line, count: 100))  // 300 KB
        Self.deliverWhileUIIsBusy(inbox, ui: ui) {
            for round in 0 ..< 100 {
                for job in 0 ..< 15 {
                    feed.receive(RunEvent(sequence: UInt64(round * 15 + job), time: 0, kind: .log(job: job, attempt: 1, stream: .stdout, lines: event)))
                }
            }
        }
        var delivered: [Int: Int] = [:], skipped: [Int: Int] = [:], bytes = 0
        for message in inbox.all.joined() {
            switch message {
            case let .logLinesSkipped(job, _, count): skipped[job, default: 0] += count
            case .events(let events):
                for case let .log(job, _, _, lines) in events.map(\.kind) {
                    delivered[job, default: 0] += lines.count
                    bytes += lines.byteCount
                }
            default: break
            }
        }
        #expect(bytes <= DashboardFeed.bytesPerDelivery + 15 * line.count, "\(bytes) bytes delivered at once")
        for job in 0 ..< 15 {
            #expect((delivered[job] ?? 0) >= 1, "job \(job) shows its newest lines")
            #expect((delivered[job] ?? 0) + (skipped[job] ?? 0) == 100 * event.count, "job \(job): every line delivered or counted")
        }
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
