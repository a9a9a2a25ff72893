import Testing
@testable import MetaJobCore

@Suite("Foresight: expected durations (median, p90, remaining, overdue)")
struct ForesightEstimateTests {
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

    @Test func noSamplesIsNoEstimate() {
        #expect(DurationEstimate(samples: []) == nil)
        #expect(DurationEstimate(samples: [-1, .nan, .infinity]) == nil, "unusable samples are no samples")
    }

    @Test func oneSampleIsBothMedianAndP90() throws {
        let e = try #require(DurationEstimate(samples: [30]))
        #expect(e.median == 30 && e.p90 == 30 && e.sampleCount == 1)
    }

    @Test func twoSamplesInterpolate() throws {
        let e = try #require(DurationEstimate(samples: [20, 10]))
        #expect(Self.close(e.median, 15))
        #expect(Self.close(e.p90, 19), "h = 0.9: 10 + 0.9 × 10")
    }

    @Test func oddCount() throws {
        let e = try #require(DurationEstimate(samples: [5, 1, 3]))
        #expect(Self.close(e.median, 3))
        #expect(Self.close(e.p90, 4.6), "h = 1.8: 3 + 0.8 × 2")
    }

    @Test func evenCount() throws {
        let e = try #require(DurationEstimate(samples: [4, 1, 3, 2]))
        #expect(Self.close(e.median, 2.5), "the mean of the two middle values")
        #expect(Self.close(e.p90, 3.7), "h = 2.7: 3 + 0.7 × 1")
        let ten = try #require(DurationEstimate(samples: (1...10).map(Double.init).reversed()))
        #expect(Self.close(ten.median, 5.5))
        #expect(Self.close(ten.p90, 9.1), "h = 8.1: 9 + 0.1 × 1")
    }

    @Test func identicalValues() throws {
        let e = try #require(DurationEstimate(samples: [7, 7, 7, 7, 7]))
        #expect(e.median == 7 && e.p90 == 7)
    }

    @Test func onlyTheNewestTwentyCount() throws {
        // Newest first: twenty 10 s runs, then five old 1000 s runs that must not weigh in.
        let e = try #require(DurationEstimate(samples: Array(repeating: 10, count: 20) + Array(repeating: 1000, count: 5)))
        #expect(e.median == 10 && e.p90 == 10 && e.sampleCount == 20)
        let old = try #require(DurationEstimate(samples: Array(repeating: 1000, count: 5) + Array(repeating: 10, count: 20)))
        #expect(old.p90 == 1000, "the newest five are slow: they count")
    }

    @Test func percentileEnds() {
        #expect(DurationEstimate.percentile(0, ofSorted: [1, 2, 9]) == 1)
        #expect(DurationEstimate.percentile(1, ofSorted: [1, 2, 9]) == 9)
        #expect(DurationEstimate.percentile(0.5, ofSorted: [1, 2, 9]) == 2)
    }

    @Test func remainingFollowsTheMedianThenTheP90ThenStops() {
        let e = DurationEstimate(median: 60, p90: 90)
        #expect(e.remaining(afterRunning: 0) == 60)
        #expect(e.remaining(afterRunning: 20) == 40)
        #expect(e.remaining(afterRunning: 60) == 30, "past the median: until the p90")
        #expect(e.remaining(afterRunning: 75) == 15)
        #expect(e.remaining(afterRunning: 90) == 0)
        #expect(e.remaining(afterRunning: 91) == nil, "overdue: no number")
        #expect(!e.isOverdue(afterRunning: 90))
        #expect(e.isOverdue(afterRunning: 90.5))
        #expect(e.remaining(afterRunning: -5) == 60, "a start in the future counts as just started")
    }

    @Test func storedFiguresKeepP90AtLeastTheMedian() {
        let e = DurationEstimate(median: 50, p90: 40)
        #expect(e.p90 == 50)
    }
}
