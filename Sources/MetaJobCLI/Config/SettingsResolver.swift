import MetaJobCore

/// Layers the settings: command-line flag > environment (VDK plugin names, `VDK_` prefix winning) >
/// definition file > default.
public enum SettingsResolver {
    public static func resolve(flags: RunFlags, environment: Environment,
                               file: DefinitionSettings) throws(ConfigurationError) -> ResolvedConfiguration {
        var settings = RunSettings()
        if let n = flags.maxConcurrent {
            guard n >= 1 else { throw ConfigurationError("--max-concurrent must be a whole number of at least 1, not \(n).") }
            settings.maxConcurrentRunningJobs = n
        } else if let (name, raw) = environment.vdk("DAGS_MAX_CONCURRENT_RUNNING_JOBS") {
            guard let n = Int(raw.trimmingSpaces), n >= 1 else {
                throw ConfigurationError("\(name)=\(raw) is not valid: expected a whole number of at least 1, e.g. \(name)=15.")
            }
            settings.maxConcurrentRunningJobs = n
        } else if let n = file.maxConcurrentRunningJobs {
            settings.maxConcurrentRunningJobs = n
        }
        settings.delayedJobsMinDelaySeconds = try seconds("DAGS_DELAYED_JOBS_MIN_DELAY_SECONDS", environment,
                                                          file.delayedJobsMinDelaySeconds, default: 30)
        settings.delayedJobsRandomizedAddedDelaySeconds = try seconds("DAGS_DELAYED_JOBS_RANDOMIZED_ADDED_DELAY_SECONDS", environment,
                                                                      file.delayedJobsRandomizedAddedDelaySeconds, default: 600)
        let statusCheck = try seconds("DAGS_TIME_BETWEEN_STATUS_CHECK_SECONDS", environment,
                                      file.timeBetweenStatusCheckSeconds, default: 40)
        settings.onFailure = flags.onFailure ?? .wait
        if let grace = flags.gracePeriodSeconds {
            guard grace >= 0, grace.isFinite else { throw ConfigurationError("--grace-period must be a number of seconds ≥ 0, not \(grace).") }
            settings.terminationGraceSeconds = grace
        }
        var executor = file.executor ?? .local
        if let flag = flags.executor {
            executor = flag
        } else if let (name, raw) = environment.vdk("DAGS_JOB_EXECUTOR_TYPE") {
            guard let kind = ExecutorKind(rawValue: raw.trimmingSpaces.lowercased()) else {
                throw ConfigurationError("\(name)=\(raw) is not valid: expected `local` or `remote`.")
            }
            executor = kind
        }
        let url = environment["VDK_CONTROL_SERVICE_REST_API_URL"] ?? file.controlServiceURL
        return ResolvedConfiguration(settings: settings, executor: executor, timeBetweenStatusCheckSeconds: statusCheck,
                                     localRunJobPath: environment.vdk("DAGS_LOCAL_RUN_JOB_PATH")?.value,
                                     controlServiceURL: url)
    }

    /// A duration from the environment (fractions allowed), else the file, else the default.
    private static func seconds(_ key: String, _ environment: Environment, _ file: Double?,
                                default value: Double) throws(ConfigurationError) -> Double {
        if let (name, raw) = environment.vdk(key) {
            guard let v = Double(raw.trimmingSpaces), v.isFinite, v >= 0 else {
                throw ConfigurationError("\(name)=\(raw) is not valid: expected a number of seconds ≥ 0 (fractions allowed), e.g. \(name)=2.5.")
            }
            return v
        }
        return file ?? value
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
