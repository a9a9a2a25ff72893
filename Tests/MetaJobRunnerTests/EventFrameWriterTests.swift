import Foundation
import MetaJobCore
@testable import MetaJobRunner
import Testing

/// The hand-written event frames are the frames `JSONEncoder` writes: the same JSON object (keys, nesting,
/// values) for every kind of event, every job state and every optional field, and they decode to the event.
struct EventFrameWriterTests {
    static let awkward = ["", "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r", "\u{0}\u{1}\u{1F}\u{7F}",
                          "ünïcödé – 日本語 🚀", "\u{202E}bidi", "</script>", "c1 \u{80}\u{85}\u{9F} \u{A0} ls\u{2028}ps\u{2029}\u{2027}"]

    static var events: [RunEvent] {
        var kinds: [RunEvent.Kind] = [.runStarted, .runReopened, .controls(paused: true, limit: 0),
                                      .controls(paused: false, limit: 15)]
        kinds += [RunOutcome.succeeded, .failed, .cancelled].map { .runFinished($0) }
        for (i, state) in JobState.allCases.enumerated() {
            kinds.append(.job(JobUpdate(job: i, state: state, attempt: i % 3)))
        }
        for (i, text) in awkward.enumerated() {
            kinds.append(.job(JobUpdate(job: 7, state: .delayed, attempt: 2, exitCode: Int32(i) - 3, reason: text,
                                        executionId: text, delayReason: .conflict(message: text), readyAt: 12.5 + Double(i) / 7,
                                        maxAttempts: i)))
            kinds.append(.job(JobUpdate(job: 0, state: .userError, attempt: 1, exitCode: Int32.min, reason: nil,
                                        delayReason: .serverError(message: text), readyAt: 1e-9 * Double(i))))
        }
        kinds.append(.job(JobUpdate(job: 3, state: .delayed, attempt: 1, delayReason: .retryBackoff, readyAt: 0)))
        kinds.append(.job(JobUpdate(job: 3, state: .userError, attempt: 1, exitCode: Int32.max, maxAttempts: 4)))
        kinds.append(.log(job: 2, attempt: 1, stream: .stdout, lines: LogLines(bytes: Array("one\ntwo".utf8), ends: [3, 7], unterminated: [1])))
        kinds.append(.log(job: 2, attempt: 3, stream: .stderr, lines: LogLines(bytes: [0, 0xFF, 0x1B, 0x5B, 0x32, 0x4A, 0x80], ends: [7])))
        kinds.append(.log(job: 0, attempt: 1, stream: .stdout, lines: LogLines(bytes: [], ends: [0, 0])))
        kinds.append(.log(job: 1, attempt: 1, stream: .stdout, lines: LogLines(bytes: Array("eight by".utf8), ends: [8])))
        let times = [0, 1, 0.1, 1_733_512_345.123456, 1_733_512_345, 1e-7, 9_007_199_254_740_993, 4.9e-324]
        return kinds.enumerated().map { i, kind in
            RunEvent(sequence: i == 0 ? UInt64.max : UInt64(i), time: times[i % times.count], kind: kind)
        }
    }

    @Test func everyEventIsTheObjectJSONEncoderWritesAndDecodesBack() throws {
        for event in Self.events {
            let fast = EventFrameWriter.frame(event)
            #expect(fast.last == 0x0A && fast.dropLast().allSatisfy { $0 != 0x0A }, "one line: \(event)")
            let line = Array(fast.dropLast())
            #expect(FrameCodec.decode(ServerFrame.self, line) == .event(event), "decodes back: \(String(decoding: line, as: UTF8.self))")
            let reference = try JSONEncoder().encode(ServerFrame.event(event))
            let ours = try JSONSerialization.jsonObject(with: Data(line)) as? NSDictionary
            let theirs = try JSONSerialization.jsonObject(with: reference) as? NSDictionary
            #expect(ours != nil && ours == theirs,
                    "same object as JSONEncoder:\n ours   \(String(decoding: line, as: UTF8.self))\n theirs \(String(decoding: reference, as: UTF8.self))")
        }
    }

    /// The hand-written reader gives the event `JSONDecoder` gives, from our frames and from JSONEncoder's (other
    /// key order and number forms); what it cannot read exactly (a sequence past Int64, a damaged frame, any
    /// other frame) it leaves to the decoder, never guessing.
    @Test func theReaderGivesWhatTheDecoderGives() throws {
        var read = 0
        for event in Self.events {
            let ours = Array(EventFrameWriter.frame(event).dropLast())
            let theirs = Array(try JSONEncoder().encode(ServerFrame.event(event)))
            for line in [ours, theirs] {
                if let fast = EventFrameReader.event(line) {
                    #expect(fast == event, "\(String(decoding: line, as: UTF8.self))")
                    read += 1
                } else {
                    #expect(event.sequence > UInt64(Int64.max), "only a sequence past Int64 is left to the decoder: \(event)")
                }
            }
        }
        #expect(read == 2 * (Self.events.count - 1))
        let good = Array(EventFrameWriter.frame(Self.events[5]).dropLast())
        let damaged: [[UInt8]] = [
            Array(good.prefix(good.count / 2)), good + Array("x".utf8), Array("{\"event\":{}}".utf8),
            Array("{\"event\":{\"_0\":{\"sequence\":-1,\"time\":0,\"kind\":{\"runStarted\":{}}}}}".utf8),
            Array("{\"event\":{\"_0\":{\"sequence\":1,\"time\":0,\"kind\":{\"job\":{\"_0\":{\"job\":1,\"state\":\"bogus\",\"attempt\":1}}}}}}".utf8),
            Array("{\"event\":{\"_0\":{\"sequence\":1,\"time\":0,\"kind\":{\"log\":{\"job\":1,\"attempt\":1,\"stream\":\"stdout\",\"lines\":{\"bytes\":\"YQ==\",\"ends\":[5]}}}}}}".utf8),
            Array("{\"reply\":{\"id\":1,\"reply\":{\"accepted\":{}}}}".utf8), [0xFF, 0xFE] + good,
        ]
        for line in damaged {
            #expect(EventFrameReader.event(line) == nil, "\(String(decoding: line, as: UTF8.self))")
        }
    }

    @Test func theSharedEncodedEventUsesTheseFrames() {
        let event = RunEvent(sequence: 41, time: 2.5, kind: .log(job: 1, attempt: 1, stream: .stdout,
                                                                 lines: LogLines(bytes: Array("a\nb\nc".utf8), ends: [1, 3, 5])))
        let encoded = EncodedEvent(event)
        #expect(encoded.first == 41 && encoded.last == 43)
        #expect(encoded.bytes == EventFrameWriter.frame(event))
    }

    /// Snapshots too: every job state and optional field, awkward names, teams and dependencies, each phase.
    @Test(arguments: [RunPhase.notStarted, .running, .finished(.succeeded), .finished(.failed), .finished(.cancelled)])
    func snapshotsAreTheObjectJSONEncoderWrites(_ phase: RunPhase) throws {
        var outlines: [JobOutline] = []
        var jobs: [JobProgress] = []
        for (i, state) in JobState.allCases.enumerated() {
            let text = Self.awkward[i % Self.awkward.count]
            outlines.append(JobOutline(name: "job\(i) \(text)", team: i % 2 == 0 ? nil : text,
                                       dependsOn: i == 0 ? [] : ["job\(i - 1) \(Self.awkward[(i - 1) % Self.awkward.count])", text],
                                       retries: i, failDagOnError: i % 3 == 0))
            var p = JobProgress(state: state, maxAttempts: i + 1)
            p.attempt = i % 4
            if i % 2 == 1 { p.exitCode = Int32(i) - 5; p.reason = text; p.executionId = "exec-\(text)" }
            if i % 3 == 1 { p.startedAt = 1_733_512_345.25 + Double(i); p.endedAt = 1_733_512_400.125 }
            if i % 4 == 2 { p.delayReason = [DelayReason.retryBackoff, .conflict(message: text), .serverError(message: text)][i % 3]; p.readyAt = 0.5 }
            if i % 5 == 3 { p.reusedFrom = "20261206-000000-\(i)" }
            p.spans = (0 ..< i % 3).map { AttemptSpan(attempt: $0 + 1, start: Double($0) + 0.1, end: $0 == 1 ? nil : Double($0) + 0.9, state: state) }
            jobs.append(p)
        }
        let snapshot = RunSnapshot(outline: RunOutline(runId: "R \"1\"", metaJobName: Self.awkward[5], startedBy: "manual/ünï", jobs: outlines),
                                   jobs: jobs, phase: phase, paused: true, limit: 7, sequence: 123_456, wallClockOrigin: 1_733_512_345.0625)
        let fast = SnapshotFrameWriter.frame(snapshot)
        #expect(fast.last == 0x0A && fast.dropLast().allSatisfy { $0 != 0x0A })
        let line = Array(fast.dropLast())
        #expect(FrameCodec.decode(ServerFrame.self, line) == .snapshot(snapshot))
        let ours = try JSONSerialization.jsonObject(with: Data(line)) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ServerFrame.snapshot(snapshot))) as? NSDictionary
        #expect(ours != nil && ours == theirs, "same object as JSONEncoder:\n ours   \(String(decoding: line, as: UTF8.self))")
        // The hand-written reader gives the same snapshot from our frame and from JSONEncoder's; damaged frames
        // are left to the decoder.
        for frame in [line, Array(try JSONEncoder().encode(ServerFrame.snapshot(snapshot)))] {
            #expect(SnapshotFrameReader.snapshot(frame) == snapshot, "\(String(decoding: frame, as: UTF8.self))")
        }
        let text = String(decoding: line, as: UTF8.self)
        let damaged = [String(text.prefix(text.count / 2)), text + "x", "{\"snapshot\":{}}",
                       text.replacingOccurrences(of: "\"paused\":true", with: "\"paused\":1"),
                       text.replacingOccurrences(of: "\"state\":\"pending\"", with: "\"state\":\"bogus\""),
                       text.replacingOccurrences(of: "\"spans\":[", with: "\"spanz\":["),
                       text.replacingOccurrences(of: "\"sequence\":123456", with: "\"sequence\":-3")]
        for bad in damaged {
            #expect(SnapshotFrameReader.snapshot(Array(bad.utf8)) == nil, "\(bad.prefix(200))")
        }
    }
}
