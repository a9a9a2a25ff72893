import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner
import MetaJobTestSupport

/// The control socket's protocol without a socket: frames to JSON and back, the frame splitter's limits, and one
/// client's session as a state machine (bytes and events in; snapshot requests, commands and closes out).
@Suite("Control protocol")
struct ControlProtocolTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func feed(_ session: inout ControlSession, _ text: String) -> [ControlSession.Action] {
        let data = bytes(text)
        return data.withUnsafeBytes { session.received($0) }
    }

    /// Everything queued for the client, as text (marks it written).
    static func drain(_ session: inout ControlSession) -> String {
        var out: [UInt8] = []
        while let chunk = session.nextOutput {
            out += chunk
            session.wrote(chunk.count)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func frames(_ text: String) -> [ServerFrame] {
        text.split(separator: "\n").compactMap { FrameCodec.decode(ServerFrame.self, Array($0.utf8)) }
    }

    static let hello = "{\"hello\":{\"version\":1,\"client\":\"cli\"}}\n"

    @Test func framesOfARealRunCrossJSONUnchanged() throws {
        let (runner, rec) = TestRun.make([TestRun.job("talk", [], "printf 'a\\n\\033[2Jb\\377\\n'"),
                                          TestRun.job("fail", ["talk"], "exit 4")])
        runner.start()
        #expect(rec.waitForFinish())
        var server: [ServerFrame] = [.hello(version: 1, runId: runner.info.runId, pid: 42), .snapshot(runner.snapshot()),
                                     .reply(id: 7, reply: .refused("no \"quotes\" lost\n")), .reply(id: 8, reply: .accepted),
                                     .bye(reason: "done")]
        server += rec.events.map(ServerFrame.event)
        for frame in server {
            let line = FrameCodec.encode(frame)
            #expect(line.last == 0x0A && !line.dropLast().contains(0x0A), "one line per frame")
            #expect(FrameCodec.decode(ServerFrame.self, Array(line.dropLast())) == frame)
        }
        let commands: [RunCommand] = [.retry(job: 1), .retryFailed, .retryDownstream(job: 0), .cancel(job: 2),
                                      .stop(immediate: true), .pause, .resume, .setConcurrency(3)]
        let client: [ClientFrame] = [.hello(version: 1, client: "dashboard"), .resync, .watch(jobs: [1, 5])]
            + commands.enumerated().map { .command(id: UInt64($0.offset), command: $0.element) }
        for frame in client {
            #expect(FrameCodec.decode(ClientFrame.self, Array(FrameCodec.encode(frame).dropLast())) == frame)
        }
    }

    @Test func theDecoderSplitsLinesAndEnforcesItsLimit() throws {
        var decoder = FrameDecoder(limit: 8)
        #expect(try decoder.feed(Self.bytes("ab\n\ncd")) == [Self.bytes("ab")], "empty lines are skipped")
        #expect(decoder.pendingBytes == 2)
        #expect(try decoder.feed(Self.bytes("ef\ng")) == [Self.bytes("cdef")])
        #expect(throws: FrameDecoder.Failure.truncated(bytes: 1)) { try decoder.finish() }
        #expect(throws: FrameDecoder.Failure.oversized(limit: 8)) { try decoder.feed(Self.bytes("12345678")) }
        var exact = FrameDecoder(limit: 8)
        #expect(try exact.feed(Self.bytes("12345678\n")) == [Self.bytes("12345678")], "exactly the limit is fine")
        #expect(throws: FrameDecoder.Failure.oversized(limit: 8)) { try exact.feed(Self.bytes("123456789\n")) }
    }

    @Test func helloThenSnapshotThenEventsThenCommands() {
        var session = ControlSession(runId: "R1", pid: 9)
        #expect(Self.feed(&session, Self.hello) == [.wantSnapshot])
        #expect(session.client == "cli" && session.phase == .waitingForSnapshot)
        let early = EncodedEvent(RunEvent(sequence: 3, time: 0, kind: .runStarted))
        #expect(session.published(early) == [], "events before the snapshot are in it")
        session.snapshot(sequence: 3, bytes: Self.bytes("{\"snapshot\":1}\n"))
        #expect(session.phase == .live)
        #expect(session.published(early) == [], "an event the snapshot holds is not sent again")
        _ = session.published(EncodedEvent(RunEvent(sequence: 4, time: 0, kind: .controls(paused: true, limit: 2))))
        let out = Self.drain(&session)
        let frames = Self.frames(out)
        #expect(frames.first == .hello(version: ControlProtocol.version, runId: "R1", pid: 9))
        #expect(out.contains("{\"snapshot\":1}"))
        #expect(frames.last == .event(RunEvent(sequence: 4, time: 0, kind: .controls(paused: true, limit: 2))))
        let command = String(decoding: FrameCodec.encode(ClientFrame.command(id: 5, command: .retry(job: 2))), as: UTF8.self)
        #expect(Self.feed(&session, command) == [.command(id: 5, .retry(job: 2))])
        #expect(session.replied(id: 5, .refused("no")) == [])
        #expect(Self.frames(Self.drain(&session)) == [.reply(id: 5, reply: .refused("no"))])
    }

    @Test func badClientsEndOnlyTheirOwnSession() {
        var garbage = ControlSession(runId: "R", pid: 1)
        let actions = Self.feed(&garbage, "\u{1B}[2J not json\n")
        #expect(actions.count == 1 && garbage.isClosed)
        if case .bye(let reason)? = Self.frames(Self.drain(&garbage)).last { #expect(reason.contains("not a frame")) } else {
            Issue.record("a garbage frame is answered with bye")
        }
        var noHello = ControlSession(runId: "R", pid: 1)
        _ = Self.feed(&noHello, "{\"resync\":{}}\n")
        #expect(noHello.phase == .closed(reason: "the first frame must be hello"))
        var future = ControlSession(runId: "R", pid: 1)
        _ = Self.feed(&future, "{\"hello\":{\"version\":99,\"client\":\"x\"}}\n")
        #expect(future.isClosed)
        var huge = ControlSession(runId: "R", pid: 1, frameLimit: 1024)
        _ = Self.feed(&huge, Self.hello)
        #expect(!huge.isClosed)
        #expect(Self.feed(&huge, String(repeating: "x", count: 2000)).count == 1 && huge.isClosed, "no newline needed to end it")
        var half = ControlSession(runId: "R", pid: 1)
        _ = Self.feed(&half, "{\"hello\":{\"vers")
        #expect(half.endOfInput() == [.close(reason: "the connection ended inside a frame")])
        #expect(half.nextOutput == nil, "nobody is left to say bye to")
    }

    @Test func aReaderThatFallsBehindIsResynchronisedNotBuffered() {
        var session = ControlSession(runId: "R", pid: 1, queueLimit: 4096)
        _ = Self.feed(&session, Self.hello)
        session.snapshot(sequence: 0, bytes: Self.bytes("{}\n"))
        var asked = 0
        for n in 1 ... 1000 {
            let event = EncodedEvent(RunEvent(sequence: UInt64(n), time: 0, kind: .controls(paused: false, limit: n)))
            if session.published(event) == [.wantSnapshot] {
                asked += 1
                #expect(session.queuedBytes <= 4096)
                session.snapshot(sequence: UInt64(n), bytes: Self.bytes("{\"fresh\":\(n)}\n"))
            }
            #expect(session.queuedBytes <= 4096 + 64, "the queue never grows past its limit and one snapshot")
        }
        #expect(asked > 0 && session.resyncs == asked)
    }

    /// A client behind on a flood of output is sent `skipped` frames for log lines instead of the lines, so the
    /// output waiting for it stays near the log budget and every state change still reaches it, in order, with
    /// no resync; the frames it gets account for every sequence number exactly once.
    @Test func aClientBehindOnOutputSkipsLogLinesNotStateChanges() {
        var session = ControlSession(runId: "R", pid: 1, queueLimit: 1 << 20, logBudget: 4096)
        _ = Self.feed(&session, Self.hello)
        session.snapshot(sequence: 0, bytes: Self.bytes("{}\n"))
        _ = Self.drain(&session)
        var sequence: UInt64 = 0
        var stateEvents = 0
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
        for i in 1 ... 400 {
            let log = RunEvent(sequence: sequence + 1, time: 0, kind: .log(job: 0, attempt: 1, stream: .stdout, lines: LogLines(Array(repeating: line, count: 10))))
            sequence += 10
            #expect(session.published(EncodedEvent(log)) == [])
            if i % 40 == 0 {
                sequence += 1
                stateEvents += 1
                #expect(session.published(EncodedEvent(RunEvent(sequence: sequence, time: 0, kind: .controls(paused: false, limit: i)))) == [])
            }
            #expect(session.queuedBytes < 4096 + 4096, "output waiting stays near the budget (\(session.queuedBytes))")
        }
        #expect(session.resyncs == 0 && session.skippedLines > 0)
        var expected: UInt64 = 1
        var states = 0
        for frame in Self.frames(Self.drain(&session)) {
            switch frame {
            case .event(let event):
                #expect(event.sequence == expected, "no gap, nothing twice")
                expected = EncodedEvent(event).last + 1
                if case .controls = event.kind { states += 1 }
            case let .skipped(from, to):
                #expect(from == expected && to >= from)
                expected = to + 1
            default:
                Issue.record("unexpected frame \(frame)")
            }
        }
        #expect(states == stateEvents, "every state change arrives")
        #expect(expected == sequence + 1, "every sequence number is accounted for")
    }

    /// Fifteen jobs flooding in the same order every round, the client reading a little between rounds: the job
    /// the client watches (the one whose log it shows) gets every line; without the watch it got none, since the
    /// first job of each round filled the budget (the dashboard then said "no output yet" for 45 s in the suite).
    @Test func theWatchedJobsLinesAreNotStarvedByAFlood() {
        for watching in [true, false] {
            var session = ControlSession(runId: "R", pid: 1, queueLimit: 8 << 20, logBudget: 6 * 1024)
            _ = Self.feed(&session, Self.hello)
            session.snapshot(sequence: 0, bytes: Self.bytes("{}\n"))
            _ = Self.drain(&session)
            if watching { #expect(Self.feed(&session, "{\"watch\":{\"jobs\":[14]}}\n") == [.watch([14])]) }
            var sequence: UInt64 = 0
            let line = [UInt8](repeating: 0, count: 300)
            var sent14: UInt64 = 0
            var firsts14: Set<UInt64> = []
            var received: [UInt8] = []
            for _ in 0 ..< 100 {
                for job in 0 ..< 15 {
                    let event = RunEvent(sequence: sequence + 1, time: 0,
                                         kind: .log(job: job, attempt: 1, stream: .stdout, lines: LogLines(Array(repeating: line, count: 20))))
                    sequence += 20
                    if job == 14 {
                        sent14 += 20
                        firsts14.insert(event.sequence)
                    }
                    // The server encodes a log event only when some client takes it: the two must agree.
                    let takes = session.takesLog(of: job)
                    let before = session.queuedBytes
                    #expect(session.published(EncodedEvent(event)) == [])
                    #expect((session.queuedBytes > before) == takes, "takesLog(of: \(job)) said \(takes)")
                }
                #expect(session.queuedBytes < 4 * 6 * 1024 + 20_000, "bounded: \(session.queuedBytes)")
                // The client reads 10 KB a round (a frame is about 8 KB).
                var left = 10_000
                while left > 0, let chunk = session.nextOutput(upTo: left) {
                    let n = min(chunk.count, left)
                    received += chunk.prefix(n)
                    session.wrote(n)
                    left -= n
                }
            }
            var got14: UInt64 = 0
            for frame in Self.frames(String(decoding: received, as: UTF8.self) + Self.drain(&session)) {
                if case .event(let event) = frame, firsts14.contains(event.sequence) { got14 += EncodedEvent(event).last - event.sequence + 1 }
            }
            #expect(session.resyncs == 0)
            if watching {
                #expect(got14 == sent14, "every line of the watched job arrives (\(got14) of \(sent14))")
            } else {
                #expect(got14 < sent14 / 10, "unwatched, the last job of each round is starved (\(got14) of \(sent14))")
            }
        }
    }

    /// Dropping a slow reader's events for a fresh snapshot never drops an answer it is owed: each command
    /// queued before the resync is answered after it, in order. A client that sends commands and never reads
    /// the answers is cut off instead of piling them up.
    @Test func aResyncKeepsTheRepliesOwed() {
        var session = ControlSession(runId: "R", pid: 1, queueLimit: 4096)
        _ = Self.feed(&session, Self.hello)
        session.snapshot(sequence: 0, bytes: Self.bytes("{}\n"))
        _ = Self.drain(&session)
        var replied: [UInt64] = []
        var n: UInt64 = 0
        var resynced = 0
        while resynced < 3 {
            n += 1
            if n % 10 == 0 {
                #expect(session.replied(id: n, .accepted) == [])
                replied.append(n)
            }
            if session.published(EncodedEvent(RunEvent(sequence: n, time: 0, kind: .controls(paused: false, limit: Int(n))))) == [.wantSnapshot] {
                resynced += 1
                session.snapshot(sequence: n, bytes: Self.bytes("{\"fresh\":\(n)}\n"))
            }
        }
        let answers = Self.frames(Self.drain(&session)).compactMap { frame -> UInt64? in
            if case .reply(let id, _) = frame { return id } else { return nil }
        }
        #expect(answers == replied, "every reply, once, in order, across \(resynced) resyncs")
        var hoarder = ControlSession(runId: "R", pid: 1, queueLimit: 4096)
        _ = Self.feed(&hoarder, Self.hello)
        hoarder.snapshot(sequence: 0, bytes: Self.bytes("{}\n"))
        var cut = false
        for id in 1 ... 10_000 where !cut {
            cut = hoarder.replied(id: UInt64(id), .refused("no such job")).contains { if case .close = $0 { true } else { false } }
        }
        #expect(cut && hoarder.isClosed, "a client that never reads its answers is cut off")
    }

    /// A live session with 200 small events queued, and their bytes.
    static func sessionWith200Events() -> (ControlSession, [UInt8]) {
        var session = ControlSession(runId: "R", pid: 1)
        _ = feed(&session, hello)
        session.snapshot(sequence: 0, bytes: bytes("{\"snapshot\":{}}\n"))
        _ = drain(&session)
        var expected: [UInt8] = []
        for n in 1 ... 200 {
            let event = EncodedEvent(RunEvent(sequence: UInt64(n), time: Double(n), kind: .controls(paused: n % 2 == 0, limit: n)))
            #expect(session.published(event).isEmpty)
            expected += event.bytes
        }
        return (session, expected)
    }

    /// Frames are sent in gathered writes that may end anywhere, mid-frame included: whatever the socket takes,
    /// the client receives every frame once, whole and in order; with room, a burst goes in one write.
    @Test func gatheredWritesOfAnySizeDeliverEveryFrameOnceInOrder() {
        for (limit, accepts) in [(1, [1]), (64, [7, 1, 300]), (256 * 1024, [5, 4096]), (256 * 1024, [1 << 30])] {
            var (session, expected) = Self.sessionWith200Events()
            var received: [UInt8] = []
            var writes = 0
            while let chunk = session.nextOutput(upTo: limit) {
                let taken = min(chunk.count, accepts[writes % accepts.count])
                received += chunk.prefix(taken)
                session.wrote(taken)
                writes += 1
            }
            #expect(received == expected, "limit \(limit), writes of \(accepts)")
            #expect(session.queuedBytes == 0 && session.nextOutput == nil)
            if accepts == [1 << 30] { #expect(writes == 1, "200 queued frames went in one write") }
        }
        // The server's vectored sends: at most 64 frames each, in place, partial sends resumed mid-frame.
        var (session, expected) = Self.sessionWith200Events()
        var received: [UInt8] = []
        var sends = 0
        while let taken = session.withOutput(upTo: 256 * 1024, maxFrames: 64, { buffers -> Int in
            #expect(buffers.count <= 64 && !buffers.isEmpty)
            let all = buffers.reduce(into: [UInt8]()) { $0 += $1 }
            let n = min(all.count, 1_000 + 37 * sends)  // the socket takes part of it
            received += all.prefix(n)
            return n
        }) {
            session.wrote(taken)
            sends += 1
        }
        #expect(received == expected && sends > 4)
    }
}
