import Foundation
import Testing
@testable import MetaJobCore

/// What crosses a run connection — snapshots, events, commands, replies — is plain data: JSON and back gives
/// the same value, and a malformed value is an error, not a crash.
@Suite("Run connection values")
struct RunConnectionValuesTests {
    static func roundTrip<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let data = try JSONEncoder().encode(value)
        let back = try JSONDecoder().decode(T.self, from: data)
        #expect(back == value, "\(String(decoding: data, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    /// A run part-way: a success, a retry waiting, a refused start, a running job, a paused run.
    static func midRunSnapshot() -> RunSnapshot {
        var h = RunHarness([("a", []), ("b", ["a"]), ("c", []), ("d", [])],
                           plans: ["b": JobPlan(name: "b", retries: 2, retryDelaySeconds: 5)],
                           settings: RunSettings(maxConcurrentRunningJobs: 3))
        h.start()
        h.running("a"); h.now = 1.25; h.finish("a")
        h.running("b"); h.now = 2.5; h.finish("b", .exited(code: 3))
        h.send(.attemptRefused(job: h.index("c"), attempt: 1, reason: .conflict(message: "already \"running\"")))
        h.running("d")
        h.send(.command(.pause))
        let info = RunInfo(runId: "20261206-010203-abcd", metaJobName: "nightly ✓", startedBy: "manual/nightly ✓", jobs: [])
        return RunSnapshot(info: info, state: h.state, sequence: 42, wallClockOrigin: 1_765_000_000.123456)
    }

    @Test func snapshotRoundTripsThroughJSON() throws {
        let snapshot = Self.midRunSnapshot()
        #expect(snapshot.jobs.map(\.state) == [.succeeded, .delayed, .delayed, .running])
        #expect(snapshot.jobs[1].maxAttempts == 3 && snapshot.jobs[1].delayReason == .retryBackoff)
        #expect(snapshot.outline.jobs[1].dependsOn == ["a"] && snapshot.paused)
        try Self.roundTrip(snapshot)
        var finished = snapshot
        finished.phase = .finished(.failed)
        try Self.roundTrip(finished)
    }

    @Test func everyEventKindRoundTrips() throws {
        var lines = LogLines([Array("plain".utf8), [0xFF, 0x00, 0x1B, 0x5B], []])
        lines.append(Array("last".utf8))
        let kinds: [RunEvent.Kind] = [
            .runStarted,
            .job(JobUpdate(job: 2, state: .delayed, attempt: 1, exitCode: -1, reason: "retry 2 of 3", executionId: "ex-1",
                           delayReason: .serverError(message: "503"), readyAt: 12.75, maxAttempts: 3)),
            .job(JobUpdate(job: 0, state: .pending, attempt: 0)),
            .log(job: 1, attempt: 2, stream: .stderr, lines: lines),
            .log(job: 1, attempt: 2, stream: .stdout, lines: LogLines(unterminatedLine: [0xC3])),
            .controls(paused: true, limit: 7),
            .runReopened,
            .runFinished(.cancelled),
        ]
        for (i, kind) in kinds.enumerated() {
            try Self.roundTrip(RunEvent(sequence: UInt64(i + 1), time: 1_765_000_000.5 + Double(i) / 3, kind: kind))
        }
    }

    @Test func commandsAndRepliesRoundTrip() throws {
        let commands: [RunCommand] = [.retry(job: 3), .retryFailed, .retryDownstream(job: 0), .cancel(job: 9),
                                      .stop(immediate: true), .stop(immediate: false), .pause, .resume, .setConcurrency(4)]
        for command in commands { try Self.roundTrip(command) }
        try Self.roundTrip(CommandReply.accepted)
        try Self.roundTrip(CommandReply.refused("the run has already ended"))
        try Self.roundTrip(RunConnectionError.gone("killed"))
    }

    @Test func malformedLogLinesAreAnErrorNotACrash() {
        let bad = [
            #"{"bytes":"YWJj","ends":[2,1]}"#,          // ends out of order
            #"{"bytes":"YWJj","ends":[4]}"#,            // past the bytes
            #"{"bytes":"YWJj","ends":[3],"unterminated":[1]}"#,
            #"{"bytes":"!!!!","ends":[1]}"#,            // not base64
        ]
        for text in bad {
            #expect(throws: DecodingError.self, "\(text)") { try JSONDecoder().decode(LogLines.self, from: Data(text.utf8)) }
        }
    }

    @Test func base64DecodesWhatItEncodes() {
        var generator = SplitMix64(seed: 7)
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.decode("Zm9vYmFy") == Array("foobar".utf8))
        #expect(Base64.decode("Zg") == Array("f".utf8), "padding is optional")
        #expect(Base64.decode("Z") == nil && Base64.decode("Zm=9") == nil && Base64.decode("Zm 9") == nil)
    }
}
