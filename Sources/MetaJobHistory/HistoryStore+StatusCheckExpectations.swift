import GRDB
import MetaJobCore

extension HistoryStore {
    /// What each of `jobs` of `metaJob` usually takes, for timing remote status checks: the estimate of its
    /// last `DurationEstimate.sampleLimit` successful runs (last attempt's start to end, reused jobs left out).
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
                    FROM runs r JOIN jobs j ON j.run = r.id
                    WHERE r.meta_job = ? AND j.state = 'succeeded' AND j.reused_from IS NULL
                      AND j.started_at IS NOT NULL AND j.ended_at IS NOT NULL
                ) WHERE n <= ? ORDER BY name, n
                """, arguments: [metaJob, DurationEstimate.sampleLimit])
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
