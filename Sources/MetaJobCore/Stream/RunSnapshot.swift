/// Everything an observer needs to draw a run at one point of its event stream.
public struct RunSnapshot: Sendable {
    public var info: RunInfo
    /// The run's state machine as of `sequence` (job records, counts, phase, controls).
    public var state: RunState
    /// The last event included; the observer receives every event after it.
    public var sequence: UInt64
    /// Wall time of the state machine's clock zero, so its times convert to wall times.
    public var wallClockOrigin: Double

    public init(info: RunInfo, state: RunState, sequence: UInt64, wallClockOrigin: Double) {
        self.info = info
        self.state = state
        self.sequence = sequence
        self.wallClockOrigin = wallClockOrigin
    }

    /// Wall time of a state-machine time.
    public func wallTime(_ t: Double) -> Double { wallClockOrigin + t }
}
