import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner

/// What `metajob resume` and the dashboard's resume both do before running: read the past run, check it can be
/// resumed, and make the new run's source (its definition snapshot, the jobs it reuses).
enum ResumeSource {
    /// Why a run cannot be resumed, worded for the user.
    struct Problem: Error {
        var message: String
        /// True when there is simply nothing to do (every job succeeded): not an error for the CLI.
        var nothingToDo = false
    }

    /// The source of a run resuming `runID` (any unique prefix) from `store`, rerunning `jobs` and their downstream.
    /// A run resumed before is refused unless `anyway`; then jobs that succeeded in any later run of its resume
    /// chain are reused too. (The history checks both again, under its write lock, when the new run is recorded.)
    static func make(store: HistoryStore, runID: String, jobs: [String], anyway: Bool = false) throws(Problem) -> RunSource {
        var detail: RunDetail
        do {
            detail = try store.run(runID)
        } catch let error as HistoryError {
            throw Problem(message: "\(error)")
        } catch {
            throw Problem(message: "reading the run history failed: \(error)")
        }
        let runId = detail.summary.runId
        if detail.summary.state == .running {
            throw Problem(message: "run \(runId) is still running (pid \(detail.pid) on \(detail.host)). Wait for it to end, or stop it, then resume.")
        }
        // The demo has no file: its jobs run in the temporary directory, as `metajob demo` does.
        let path = detail.definitionPath ?? DemoDefinition.path
        let definition: MetaJobDefinition
        switch DefinitionLoader.load(bytes: detail.definitionText, path: path) {
        case .success(var loaded):
            loaded.directory = JobResolver.absolute(loaded.directory, relativeTo: FileManager.default.currentDirectoryPath)
            definition = loaded
        case .failure(let report):
            throw Problem(message: "the definition stored with run \(runId) is no longer valid: \(IssuePrinter.plain(report.issues, file: path))")
        }
        func makePlan(_ previous: RunDetail) throws(Problem) -> ResumePlan {
            do {
                return try ResumePlan(definition: definition, previous: previous, rerun: jobs)
            } catch let error as ResumePlan.Problem {
                throw Problem(message: error.message)
            } catch {
                throw Problem(message: "\(error)")
            }
        }
        // Planned first, so a mistyped --job is said before anything about the resume chain.
        var plan = try makePlan(detail)
        if detail.summary.resumedBy != nil {
            let chain: [RunDetail]
            do {
                chain = try store.resumeChain(after: runId)
            } catch {
                throw Problem(message: "reading the run history failed: \(error)")
            }
            if let going = chain.first(where: { $0.summary.state == .running }) {
                throw Problem(message: "\(HistoryError.resumeLocked(run: runId, holder: going.summary.runId, pid: going.pid, host: going.host))")
            }
            if let newer = chain.first, !anyway {
                throw Problem(message: "\(HistoryError.alreadyResumed(run: runId, by: newer.summary.runId, state: newer.summary.state))")
            }
            detail = reusingSuccesses(of: chain, in: detail)
            plan = try makePlan(detail)
        }
        if plan.toRun.isEmpty {
            let where_ = detail.summary.resumedBy == nil ? "" : " (there or in a later run that resumed it)"
            throw Problem(message: "Every job of run \(runId) succeeded\(where_): nothing to resume. To run jobs again anyway, name them with --job NAME.", nothingToDo: true)
        }
        var source = RunSource(definition: definition, definitionText: detail.definitionText,
                               definitionPath: detail.definitionPath, resumedFrom: runId, reused: plan.reused)
        source.resumeAnyway = anyway
        // Remote executions still running when the run was interrupted are re-attached, not started again.
        source.adoptExecutions = plan.adopt
        return source
    }

    /// `detail` with each job that succeeded in a later run of `chain` marked as succeeded there, so the plan
    /// reuses it: resuming an old run again never reruns what a newer one already did.
    static func reusingSuccesses(of chain: [RunDetail], in detail: RunDetail) -> RunDetail {
        var merged = detail
        var index: [String: Int] = [:]
        for (i, job) in merged.jobs.enumerated() { index[job.name] = i }
        for later in chain {
            for job in later.jobs where job.state == JobState.succeeded.rawValue {
                guard let i = index[job.name], merged.jobs[i].state != JobState.succeeded.rawValue else { continue }
                merged.jobs[i].state = job.state
                merged.jobs[i].reusedFrom = job.reusedFrom ?? later.summary.runId
                merged.jobs[i].executionId = nil
            }
        }
        return merged
    }
}
