import Testing
import MetaJobCore
@testable import MetaJobCLI

@Suite("Configuration precedence: flag > environment > file > default")
struct SettingsResolverTests {
    @Test func defaults() throws {
        let c = try SettingsResolver.resolve(flags: RunFlags(), environment: Environment([:]), file: DefinitionSettings())
        #expect(c.settings.maxConcurrentRunningJobs == 15)
        #expect(c.settings.delayedJobsMinDelaySeconds == 30 && c.settings.delayedJobsRandomizedAddedDelaySeconds == 600)
        #expect(c.timeBetweenStatusCheckSeconds == 40 && c.executor == .local && c.settings.onFailure == .wait)
        #expect(c.settings.terminationGraceSeconds == 10)
    }

    @Test func fileThenEnvironmentThenFlag() throws {
        let file = DefinitionSettings(executor: .remote, maxConcurrentRunningJobs: 4, delayedJobsMinDelaySeconds: 1.5)
        var c = try SettingsResolver.resolve(flags: RunFlags(), environment: Environment([:]), file: file)
        #expect(c.settings.maxConcurrentRunningJobs == 4 && c.settings.delayedJobsMinDelaySeconds == 1.5 && c.executor == .remote)
        let env = Environment(["DAGS_MAX_CONCURRENT_RUNNING_JOBS": "6", "DAGS_DELAYED_JOBS_MIN_DELAY_SECONDS": "0.25",
                               "DAGS_JOB_EXECUTOR_TYPE": "local"])
        c = try SettingsResolver.resolve(flags: RunFlags(), environment: env, file: file)
        #expect(c.settings.maxConcurrentRunningJobs == 6 && c.settings.delayedJobsMinDelaySeconds == 0.25 && c.executor == .local)
        c = try SettingsResolver.resolve(flags: RunFlags(maxConcurrent: 2, executor: .remote), environment: env, file: file)
        #expect(c.settings.maxConcurrentRunningJobs == 2 && c.executor == .remote)
    }

    @Test func vdkPrefixWins() throws {
        let env = Environment(["DAGS_MAX_CONCURRENT_RUNNING_JOBS": "6", "VDK_DAGS_MAX_CONCURRENT_RUNNING_JOBS": "9",
                               "VDK_DAGS_TIME_BETWEEN_STATUS_CHECK_SECONDS": "0.5", "DAGS_LOCAL_RUN_JOB_PATH": "/a:/b"])
        let c = try SettingsResolver.resolve(flags: RunFlags(), environment: env, file: DefinitionSettings())
        #expect(c.settings.maxConcurrentRunningJobs == 9)
        #expect(c.timeBetweenStatusCheckSeconds == 0.5)
        #expect(c.localRunJobPath == "/a:/b")
    }

    @Test func badValuesAreClearErrors() {
        for (key, value) in [("DAGS_MAX_CONCURRENT_RUNNING_JOBS", "0"), ("DAGS_MAX_CONCURRENT_RUNNING_JOBS", "x"),
                             ("DAGS_DELAYED_JOBS_MIN_DELAY_SECONDS", "-1"), ("DAGS_DELAYED_JOBS_RANDOMIZED_ADDED_DELAY_SECONDS", "soon"),
                             ("DAGS_JOB_EXECUTOR_TYPE", "cloud")] {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") {
                try SettingsResolver.resolve(flags: RunFlags(), environment: Environment([key: value]), file: DefinitionSettings())
            }
            do {
                _ = try SettingsResolver.resolve(flags: RunFlags(), environment: Environment([key: value]), file: DefinitionSettings())
            } catch {
                #expect(error.message.contains("\(key)=\(value) is not valid"))
            }
        }
        #expect(throws: ConfigurationError.self) {
            try SettingsResolver.resolve(flags: RunFlags(maxConcurrent: 0), environment: Environment([:]), file: DefinitionSettings())
        }
    }
}
