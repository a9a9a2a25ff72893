/// A retry the user is about to ask for, to be previewed before it is sent.
public enum RetryRequest: Sendable, Equatable {
    /// `r`: the job (failed or not_run) and its `not_run` dependents (`RunCommand.retry`).
    case job(Int)
    /// `R`: every failed job and their `not_run` dependents (`RunCommand.retryFailed`).
    case failed
    /// `d`: the job (any final status) and everything downstream of it (`RunCommand.retryDownstream`).
    case downstream(Int)
    /// `metajob resume RUN [--job NAME …]`: a new run where every job that did not succeed runs, so do
    /// these jobs and everything downstream of them; the rest is reused.
    case resume(rerun: [Int])
}
