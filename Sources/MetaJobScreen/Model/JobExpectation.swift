/// Where a running job stands against its expected duration.
enum JobExpectation: Equatable {
    /// Expected seconds left; `fraction` of the median already run (0…1), for a progress bar.
    case left(Double, fraction: Double)
    /// Past the p90 of its past successes: how long it has run, and that p90.
    case overdue(elapsed: Double, p90: Double)
}
