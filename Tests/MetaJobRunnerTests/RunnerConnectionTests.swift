import Dispatch
import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner
import MetaJobTestSupport

/// The runner as a run connection: commands are answered, a refused one changes nothing, and a watcher that
/// folds the events into its snapshot ends where the runner ends.
@Suite("Runner as a run connection")
struct RunnerConnectionTests {
    static func reply(_ connection: RunConnection, _ command: RunCommand) -> CommandReply? {
        let box = ReplyBox()
        let done = DispatchSemaphore(value: 0)
        connection.send(command) { reply in box.set(reply); done.signal() }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return box.value
    }

    @Test func commandsAreAcceptedOrRefusedWithAReason() {
        let (runner, rec) = TestRun.make([TestRun.job("long", [], "sleep 30"), TestRun.job("after", ["long"], "true")],
                                          settings: RunSettings(terminationGraceSeconds: 0.5))
        let connection: RunConnection = runner
        #expect(!connection.isRemote)
        #expect(Self.reply(connection, .stop(immediate: false)) == .refused("the run has not started"))
        runner.start()
        #expect(Self.reply(connection, .pause) == .accepted)
        #expect(Self.reply(connection, .pause) == .refused("the run is already paused"))
        #expect(Self.reply(connection, .retry(job: 1))?.isRefused == true, "a pending job cannot be retried")
        #expect(Self.reply(connection, .cancel(job: 42)) == .refused("there is no job #42"))
        #expect(Self.reply(connection, .stop(immediate: false)) == .accepted)
        #expect(rec.waitForFinish())
        #expect(Self.reply(connection, .stop(immediate: true)) == .refused("the run has already ended"))
        #expect(Self.reply(connection, .retry(job: 1)) == .accepted, "a finished run is reopened by a retry")
        #expect(rec.waitForFinish())
    }

    @Test func aWatcherFoldingEventsEndsWhereTheRunnerEnds() throws {
        let jobs = [TestRun.job("a", [], "echo a"), TestRun.job("flaky", ["a"], "exit 3", retries: 1, retryDelay: 0.01),
                    TestRun.job("c", ["a"], "true", failDag: false), TestRun.job("d", ["flaky"], "true")]
        let (runner, rec) = TestRun.make(jobs)
        let watcher = FoldingWatcher()
        try (runner as RunConnection).subscribe(watcher)
        runner.start()
        #expect(rec.waitForFinish())
        runner.queue.sync {}
        let folded = try #require(watcher.current)
        let direct = runner.snapshot()
        #expect(folded.phase == direct.phase && folded.sequence == direct.sequence)
        #expect(folded.jobs.map(\.state) == direct.jobs.map(\.state))
        #expect(folded.jobs.map(\.attempt) == direct.jobs.map(\.attempt))
        #expect(folded.jobs.map(\.maxAttempts) == direct.jobs.map(\.maxAttempts))
        #expect(folded.jobs.map(\.exitCode) == direct.jobs.map(\.exitCode))
        #expect(folded.jobs[1].spans.count == 2, "both attempts of the flaky job")
    }

    @Test func aRealRunsSnapshotAndEventsCrossJSONUnchanged() throws {
        let jobs = [TestRun.job("talk", [], "printf 'out\\n'; printf '\\033[2Jerr\\377\\n' >&2; printf 'no newline'"),
                    TestRun.job("fail", ["talk"], "exit 4", retries: 1, retryDelay: 0.01)]
        let (runner, rec) = TestRun.make(jobs)
        runner.start()
        #expect(rec.waitForFinish())
        let events = rec.events
        #expect(events.contains { if case .log = $0.kind { return true } else { return false } })
        let encoder = JSONEncoder()
        let decoded = try events.map { try JSONDecoder().decode(RunEvent.self, from: encoder.encode($0)) }
        #expect(decoded == events)
        let snapshot = runner.snapshot()
        #expect(try JSONDecoder().decode(RunSnapshot.self, from: encoder.encode(snapshot)) == snapshot)
    }
}

extension CommandReply {
    var isRefused: Bool { if case .refused = self { return true } else { return false } }
}

final class ReplyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var reply: CommandReply?
    func set(_ value: CommandReply) { lock.lock(); reply = value; lock.unlock() }
    var value: CommandReply? { lock.lock(); defer { lock.unlock() }; return reply }
}

/// Keeps a snapshot current from the events, as a remote watcher would.
final class FoldingWatcher: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var snapshot: RunSnapshot?
    func attach(_ snapshot: RunSnapshot) { lock.lock(); self.snapshot = snapshot; lock.unlock() }
    func receive(_ event: RunEvent) { lock.lock(); snapshot?.apply(event); lock.unlock() }
    var current: RunSnapshot? { lock.lock(); defer { lock.unlock() }; return snapshot }
}
