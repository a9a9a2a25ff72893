/// Everything a watcher needs to draw a run at one point of its event stream: a plain value (it crosses a
/// process boundary as JSON), never the state machine itself.
public struct RunSnapshot: Sendable, Equatable, Codable {
    /// Who, what, which jobs.
    public var outline: RunOutline
    /// Each job's progress, by job index (wall-clock times).
    public var jobs: [JobProgress]
    /// Where the run is.
    public var phase: RunPhase
    /// Starting new jobs is paused.
    public var paused: Bool
    /// The concurrency limit now.
    public var limit: Int
    /// The last event included; the watcher receives every event after it.
    public var sequence: UInt64
    /// Wall time of the state machine's clock zero (a `JobUpdate`'s `readyAt` is on that clock).
    public var wallClockOrigin: Double

    /// A snapshot; every field as named.
    public init(outline: RunOutline, jobs: [JobProgress], phase: RunPhase, paused: Bool, limit: Int,
                sequence: UInt64, wallClockOrigin: Double) {
        self.outline = outline
        self.jobs = jobs
        self.phase = phase
        self.paused = paused
        self.limit = limit
        self.sequence = sequence
        self.wallClockOrigin = wallClockOrigin
    }

    /// Wall time of a time on the state machine's clock (a `JobUpdate`'s `readyAt`).
    public func wallTime(_ t: Double) -> Double { wallClockOrigin + t }

    /// How many jobs are in `state`.
    public func count(of state: JobState) -> Int { jobs.reduce(0) { $0 + ($1.state == state ? 1 : 0) } }

    /// Jobs holding a concurrency slot (submitted or running).
    public var slotsUsed: Int { jobs.reduce(0) { $0 + ($1.state.holdsSlot ? 1 : 0) } }

    /// True until the run has finished (a retry can reopen it).
    public var isGoing: Bool {
        if case .finished = phase { return false }
        return true
    }
}
