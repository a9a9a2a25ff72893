import MetaJobCore

/// Every setting of a run after layering flag > environment > definition file > default.
public struct ResolvedConfiguration: Sendable, Equatable {
    public var settings: RunSettings
    public var executor: ExecutorKind
    public var timeBetweenStatusCheckSeconds: Double
    public var localRunJobPath: String?
    public var controlServiceURL: String?

    /// The settings as a JSON object, kept with each run in the history.
    public var json: String {
        var o = JSONObjectWriter()
        o.int("max_concurrent_running_jobs", settings.maxConcurrentRunningJobs)
        o.double("delayed_jobs_min_delay_seconds", settings.delayedJobsMinDelaySeconds)
        o.double("delayed_jobs_randomized_added_delay_seconds", settings.delayedJobsRandomizedAddedDelaySeconds)
        o.double("time_between_status_check_seconds", timeBetweenStatusCheckSeconds)
        o.string("executor", executor.rawValue)
        o.string("on_failure", settings.onFailure.rawValue)
        o.double("grace_period_seconds", settings.terminationGraceSeconds)
        if let localRunJobPath { o.string("local_run_job_path", localRunJobPath) }
        if let controlServiceURL { o.string("control_service_url", controlServiceURL) }
        return o.finish()
    }
}
