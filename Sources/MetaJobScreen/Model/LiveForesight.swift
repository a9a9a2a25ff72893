import MetaJobCore

/// What the dashboard looks ahead with for the live run: the expected durations read from the history, and
/// the last simulation of the rest of the run (`ForesightSchedule`), recomputed sparingly (see
/// `Dashboard.refreshForesight`).
struct LiveForesight: Sendable {
    /// Per job index: what the job usually takes; nil for a job without a past success. nil as a whole until
    /// the history answered (nothing about estimates is shown before).
    var estimates: [DurationEstimate?]?
    /// The last simulation; nil when there are no estimates or the run is over.
    var schedule: ForesightSchedule?
    /// Per job index: on the schedule's critical path.
    var onPath: [Bool] = []
    /// Wall time of the last simulation.
    var computedAt = -Double.infinity
    /// Something the schedule depends on changed since (a job ended, the limit, a retry): recompute soon.
    var dirty = false

    /// The estimate of job `j`, if the history knows it.
    func estimate(_ j: Int) -> DurationEstimate? {
        guard let estimates, estimates.indices.contains(j) else { return nil }
        return estimates[j]
    }

    /// Job `j` is on the critical path.
    func isCritical(_ j: Int) -> Bool { onPath.indices.contains(j) && onPath[j] }
}
