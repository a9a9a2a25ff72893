import GRDB
import MetaJobCore

extension HistoryStore {
    /// How many of a meta job's newest runs are searched for past successes: enough for 20 samples of a job
    /// that usually succeeds, and a bounded read however long the history is.
    static let expectationRunLimit = 100

    /// What each of `jobs` of `metaJob` usually takes, for timing remote status checks: the estimate of its
    /// last `DurationEstimate.sampleLimit` successful runs among the meta job's newest `expectationRunLimit`
    /// (last attempt's start to end, reused jobs left out).
    /// A job with no success in the history is absent. (Kept apart from the dashboard's duration query so the
    /// two can be unified later without touching the remote executor.)
    public func statusCheckExpectations(metaJob: String, jobs: [String]) throws -> [String: DurationEstimate] {
        guard !jobs.isEmpty else { return [:] }
        let wanted = Set(jobs)
        let rows: [Row] = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT name, seconds FROM (
                    SELECT j.name AS name, j.ended_at - j.started_at AS seconds,
                           ROW_NUMBER() OVER (PARTITION BY j.name ORDER BY r.started_at DESC, r.id DESC) AS n
                    FROM (SELECT id, started_at FROM runs WHERE meta_job = ? ORDER BY started_at DESC, id DESC LIMIT ?) r
                    JOIN jobs j ON j.run = r.id
                    WHERE j.state = 'succeeded' AND j.reused_from IS NULL
                      AND j.started_at IS NOT NULL AND j.ended_at IS NOT NULL
                ) WHERE n <= ? ORDER BY name, n
                """, arguments: [metaJob, Self.expectationRunLimit, DurationEstimate.sampleLimit])
        }
        var samples: [String: [Double]] = [:]
        for row in rows {
            let name: String = row["name"]
            guard wanted.contains(name) else { continue }
            samples[name, default: []].append(row["seconds"])
        }
        return samples.compactMapValues { DurationEstimate(samples: $0) }
    }
}
