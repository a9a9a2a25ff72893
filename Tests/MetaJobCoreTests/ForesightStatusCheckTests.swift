import Testing
@testable import MetaJobCore

@Suite("Foresight: remote status checks timed by expectation")
struct ForesightStatusCheckTests {
    /// Check times of a job started at `start` that ends at `start + duration`, up to and including the first
    /// check at or after its end (the one that sees it).
    static func checks(_ schedule: StatusCheckSchedule, start: Double = 0, until duration: Double) -> [Double] {
        var times: [Double] = []
        while times.last.map({ $0 < start + duration }) ?? true {
            let next = schedule.nextCheck(start: start, checksMade: times.count, lastCheck: times.last)
            #expect(next > (times.last ?? start), "time moves on")
            times.append(next)
            if times.count > 100_000 { break }
        }
        return times
    }

    /// The fixed schedule's checks for the same job: one per interval (its first comes 0.75–1 interval after the
    /// start, so at least this many).
    static func fixedCount(interval: Double, duration: Double) -> Int { max(1, Int((duration / interval).rounded(.up))) }

    @Test func withoutAnEstimateItIsTheFixedInterval() {
        let s = StatusCheckSchedule(interval: 40, estimate: nil)
        #expect(Self.checks(s, start: 100, until: 130) == [140, 180, 220, 260])
        #expect(s.nextCheck(start: 100, checksMade: 3, lastCheck: 250) == 290, "after a late check, one interval later")
    }

    @Test func neverMoreChecksThanTheFixedSchedule() {
        let interval = 40.0
        for ratio in [0.3, 1, 2.5, 10, 22.5, 100] {
            for spread in [1.0, 1.5, 3] {
                let median = ratio * interval
                let s = StatusCheckSchedule(interval: interval, estimate: DurationEstimate(median: median, p90: median * spread))
                // One long sequence covers every shorter run: a run of D sees the checks up to the first at or after D.
                let times = Self.checks(s, until: median * 5 + 10 * interval)
                let early = times.enumerated().first { $0.element < Double($0.offset + 1) * interval - 1e-9 }
                #expect(early == nil, "E/S \(ratio), p90 ×\(spread): check \((early?.offset ?? 0) + 1) at \(early?.element ?? 0)")
                var tooMany: [Double] = []
                for duration in stride(from: interval / 10, to: median * 5 + 10 * interval, by: interval / 7) {
                    let seen = times.firstIndex { $0 >= duration }! + 1
                    if seen > Self.fixedCount(interval: interval, duration: duration) { tooMany.append(duration) }
                }
                #expect(tooMany.isEmpty, "E/S \(ratio), p90 ×\(spread): more checks than fixed for runs of \(tooMany.prefix(5))")
            }
        }
    }

    @Test func theVEPAppendixABudgetStaysTheCeiling() {
        // 6 jobs, E = 15 min, S = 40 s: J × (2 + E/S) = 147 requests (start, checks, one spare per job).
        let s = StatusCheckSchedule(interval: 40, estimate: DurationEstimate(median: 900, p90: 1100))
        let perJob = 1 + Self.checks(s, until: 900).count
        #expect(6 * perJob <= 147)
        #expect(6 * (1 + Self.checks(s, until: 1100).count) <= 6 * (1 + Self.fixedCount(interval: 40, duration: 1100)))
    }

    @Test func rareEarlyDenseAroundTheExpectedEnd() {
        let s = StatusCheckSchedule(interval: 40, estimate: DurationEstimate(median: 900, p90: 1000))
        let times = Self.checks(s, until: 2000)
        #expect(times.filter { $0 < 300 }.isEmpty, "the fixed schedule checks 7 times in the first 300 s")
        let near = times.filter { $0 >= 860 && $0 <= 940 }.count
        #expect(near >= 4, "the fixed schedule checks twice within one interval of the expected end; got \(near)")
        #expect(times.filter { $0 < 900 }.count <= 10, "the fixed schedule checks 22 times before the expected end")
    }

    @Test func anEndAroundTheExpectedEndIsNoticedWithinAQuarterInterval() {
        let s = StatusCheckSchedule(interval: 40, estimate: DurationEstimate(median: 900, p90: 1000))
        for duration in stride(from: 880.0, through: 1000, by: 5) {
            let noticed = Self.checks(s, until: duration).last!
            #expect(noticed - duration <= 10 + 1e-9, "ended at \(duration), noticed at \(noticed)")
        }
        // Past the p90 it falls back to one check per interval, never more often than allowed.
        let late = Self.checks(s, until: 3000)
        #expect(late.last! - 3000 <= 40)
    }

    @Test func anEarlyEndIsStillNoticedWithinEightIntervals() {
        let s = StatusCheckSchedule(interval: 40, estimate: DurationEstimate(median: 3600, p90: 4000))
        for duration in [10.0, 100, 500, 1000] {
            let noticed = Self.checks(s, until: duration).last!
            #expect(noticed - duration <= 8 * 40 + 1e-9, "ended at \(duration), noticed at \(noticed)")
        }
    }

    /// Ends spread over the dense window (E − S … P + S) are noticed with a median delay under a quarter of the
    /// fixed schedule's (S/2 there: an end falls anywhere in an interval).
    @Test(arguments: [(900.0, 1000.0), (900, 900), (2.3, 2.34)])
    func endsAroundTheExpectedEndAreNoticedFourTimesSooner(median: Double, p90: Double) throws {
        let interval = median > 100 ? 40.0 : 0.1
        let s = StatusCheckSchedule(interval: interval, estimate: DurationEstimate(median: median, p90: p90))
        let window = try #require(s.denseWindow)
        #expect(window.lowerBound <= median - interval && window.upperBound >= p90 + interval)
        var delays: [Double] = []
        for i in 0..<200 {
            let end = median - interval + (p90 - median + 2 * interval) * Double(i) / 200
            delays.append(Self.checks(s, until: end).last! - end)
        }
        delays.sort()
        #expect(delays[100] < interval / 8, "median delay \(delays[100]) at S = \(interval)")
        #expect(delays.last! <= interval / 2, "worst delay \(delays.last!)")
    }

    @Test func aZeroEstimateIsTheFixedInterval() {
        let s = StatusCheckSchedule(interval: 40, estimate: DurationEstimate(median: 0, p90: 0))
        #expect(Self.checks(s, until: 100) == [40, 80, 120])
    }
}
