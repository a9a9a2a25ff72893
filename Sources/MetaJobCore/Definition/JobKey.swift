/// The keys of a Data Job Dict: VDK's, then metajob's. The raw value indexes the validator's slots.
enum JobKey: Int, CaseIterable {
    case jobName, dependsOn, teamName, failDagOnError, failMetaJobOnError, arguments
    case command, workingDirectory, env, timeoutSeconds, retries, retryDelaySeconds, executor

    /// The key as written in a definition.
    var name: String {
        switch self {
        case .jobName: return "job_name"
        case .dependsOn: return "depends_on"
        case .teamName: return "team_name"
        case .failDagOnError: return "fail_dag_on_error"
        case .failMetaJobOnError: return "fail_meta_job_on_error"
        case .arguments: return "arguments"
        case .command: return "command"
        case .workingDirectory: return "working_directory"
        case .env: return "env"
        case .timeoutSeconds: return "timeout_seconds"
        case .retries: return "retries"
        case .retryDelaySeconds: return "retry_delay_seconds"
        case .executor: return "executor"
        }
    }

    /// VDK's required keys.
    static let required: [JobKey] = [.jobName, .dependsOn]
}
