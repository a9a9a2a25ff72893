import GRDB
import MetaJobCore

/// The history summed up per meta job, for `metajob history metrics`.
extension HistoryStore {
    /// Finished runs by state, each meta job's newest finished run with its jobs, and job failures. Runs still
    /// marked running are left out (a live one has nothing final to say yet).
    public func metrics() throws -> HistoryMetrics {
        try pool.read { db in
            var metrics = HistoryMetrics()
            for row in try Row.fetchAll(db, sql: """
                SELECT meta_job, state, COUNT(*) FROM runs WHERE state != 'running' GROUP BY meta_job, state ORDER BY meta_job, state
                """) {
                guard let state = StoredRunState(rawValue: row[1]) else { continue }
                metrics.runs.append(RunCount(metaJob: row[0], state: state, count: row[2]))
            }
            let last = try Row.fetchAll(db, sql: """
                SELECT id, meta_job, run_id, state, started_at, COALESCE(ended_at, heartbeat_at) FROM runs r
                WHERE state != 'running' AND id = (
                    SELECT id FROM runs WHERE meta_job = r.meta_job AND state != 'running'
                    ORDER BY started_at DESC, id DESC LIMIT 1)
                ORDER BY meta_job
                """)
            for row in last {
                guard let state = StoredRunState(rawValue: row[3]) else { continue }
                let id: Int64 = row[0]
                let jobs = try Row.fetchAll(db, sql: """
                    SELECT name, state, started_at, ended_at, reused_from FROM jobs WHERE run = ? ORDER BY idx
                    """, arguments: [id]).compactMap { job -> LastRunJob? in
                    guard let jobState = JobState(rawValue: job[1]) else { return nil }
                    let started: Double? = job[2], ended: Double? = job[3], reused: String? = job[4]
                    let duration = reused == nil ? started.flatMap { s in ended.map { max(0, $0 - s) } } : nil
                    return LastRunJob(name: job[0], state: jobState, durationSeconds: duration)
                }
                metrics.lastRuns.append(LastRun(metaJob: row[1], runId: row[2], state: state, startedAt: row[4],
                                                endedAt: row[5], jobs: jobs))
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT r.meta_job, j.name, SUM(CASE WHEN j.state IN ('user_error', 'platform_error') THEN 1 ELSE 0 END)
                FROM jobs j JOIN runs r ON r.id = j.run WHERE r.state != 'running'
                GROUP BY r.meta_job, j.name ORDER BY r.meta_job, j.name
                """) {
                metrics.jobFailures.append(JobFailureCount(metaJob: row[0], job: row[1], failures: row[2]))
            }
            return metrics
        }
    }
}
