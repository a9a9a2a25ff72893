import MetaJobCore
import Testing

/// The dashboard's redraw pacing: a lone state change (or a short burst) is drawn at once, a stream of them and
/// a flood of output at bounded rates (times are plain seconds; nothing waits).
struct FeedPacingTests {
    /// Delivers as the feed does: each event at `times` asks when it is due; a delivery goes when due.
    static func simulate(_ p: inout FeedPacing, events: [(time: Double, isLog: Bool)], until end: Double) -> [Double] {
        var deliveries: [Double] = []
        var scheduled: Double?
        var carriesState = false
        var i = 0
        var t = events.first?.time ?? 0
        while t <= end {
            if let at = scheduled, at <= t {
                p.delivered(at: at, withStateChange: carriesState)
                deliveries.append(at)
                scheduled = nil
                carriesState = false
            }
            while i < events.count && events[i].time <= t {
                let due = p.due(now: t, isLog: events[i].isLog)
                if !events[i].isLog { carriesState = true }
                if scheduled == nil || due < scheduled! { scheduled = due }
                i += 1
            }
            t += 0.0001
        }
        return deliveries
    }

    @Test func aCancelDuringAnOutputFloodIsDrawnAtOnceStepByStep() {
        var p = FeedPacing(logRate: 30, stateRate: 60, burst: 3, maxRate: 240)
        // Output every millisecond for a second; at 0.5 s a cancel: `cancelling`, 6 ms later `cancelled`, 1 ms
        // after that the next job starts.
        var events = stride(from: 0.0, to: 1.0, by: 0.001).map { (time: $0, isLog: true) }
        events += [(0.5003, false), (0.5063, false), (0.5073, false)]
        events.sort { $0.time < $1.time }
        let deliveries = Self.simulate(&p, events: events, until: 1.0)
        for change in [0.5003, 0.5063] {
            let drawn = deliveries.first { $0 >= change - 1e-9 }!
            #expect(drawn - change < 0.0045, "a change at \(change) drawn \((drawn - change) * 1000) ms later")
        }
        let last = deliveries.first { $0 >= 0.5073 - 1e-9 }!
        #expect(last - 0.5073 <= 1.0 / 240 + 1e-6, "the third within one gap")
        let output = deliveries.filter { $0 < 0.49 }
        #expect(output.count >= 14 && output.count <= 16, "output alone: 30 frames a second (\(output.count) in 0.49 s)")
        for (a, b) in zip(deliveries, deliveries.dropFirst()) { #expect(b - a >= 1.0 / 240 - 1e-9, "never back to back") }
    }

    @Test func aStreamOfStateChangesIsDrawnAtTheStateRate() {
        var p = FeedPacing(logRate: 30, stateRate: 60, burst: 3, maxRate: 240)
        // A state change every millisecond for two seconds (a 10,000-job run).
        let events = stride(from: 5.0, to: 7.0, by: 0.001).map { (time: $0, isLog: false) }
        let deliveries = Self.simulate(&p, events: events, until: 7.0)
        #expect(deliveries.count >= 115 && deliveries.count <= 124, "\(deliveries.count) frames in two seconds")
        let steady = deliveries.filter { $0 > 5.5 }
        for (a, b) in zip(steady, steady.dropFirst()) { #expect(b - a >= 1.0 / 60 - 1e-6, "steady: at most 60 a second") }
    }

    @Test func outputAloneIsDrawnAtTheLogRate() {
        var p = FeedPacing(logRate: 30, stateRate: 60, burst: 3, maxRate: 240)
        let events = stride(from: 0.0, to: 1.0, by: 0.0005).map { (time: $0, isLog: true) }
        let count = Self.simulate(&p, events: events, until: 1.0).count
        #expect(count >= 29 && count <= 31, "\(count) frames in a second")
    }

    /// Counted changes: as many as the bucket holds go at once; a heavier stream waits at most the stream
    /// interval; the dashboard's one-token-per-delivery pacing is the same as before (its tests above).
    @Test func countedChangesSpendOneTokenEachAndAHeavyStreamGoesAtTheStreamRate() {
        var p = FeedPacing(logRate: 100, stateRate: 100, burst: 10, maxRate: 1000, streamRate: 20)
        #expect(p.due(now: 1, stateChanges: 10) == 1, "a full bucket takes ten at once")
        p.delivered(at: 1, stateChanges: 10)
        #expect(abs(p.due(now: 1, stateChanges: 1) - 1.01) < 1e-9, "then one waits for its token (100 a second)")
        #expect(abs(p.due(now: 1, stateChanges: 5) - 1.05) < 1e-9, "five wait for five")
        #expect(abs(p.due(now: 1, stateChanges: 500) - 1.05) < 1e-9, "a heavier stream waits at most 1/20 s")
        #expect(abs(p.due(now: 1, stateChanges: 0) - 1.01) < 1e-9, "output alone at its own rate")
        p.delivered(at: 1.05, stateChanges: 500)
        #expect(abs(p.due(now: 1.05, stateChanges: 1) - 1.07) < 1e-9, "overdrawn by one at most: two tokens to wait for")
        var unlimited = FeedPacing(logRate: 100, stateRate: 100, burst: 10, maxRate: 1000)
        unlimited.delivered(at: 1, stateChanges: 10)
        #expect(abs(unlimited.due(now: 1, stateChanges: 500) - 1.1) < 1e-9, "no stream rate: waits for a full bucket")
    }
}
