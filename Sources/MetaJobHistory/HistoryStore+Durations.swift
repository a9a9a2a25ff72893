import GRDB
import GRDBSQLite
import MetaJobCore

extension HistoryStore {
    /// How many of a meta job's newest runs `expectedDurations` looks through at most: a job that never
    /// succeeded would otherwise make it read every run ever recorded.
    public static let durationRunLimit = 100

    /// Once at most this many jobs still lack samples, older runs are asked for those jobs by name (through
    /// the `(run, name)` index) instead of read whole: a job that never succeeded, or was just added, would
    /// otherwise cost reading every row of 100 runs.
    static let durationLookupByName = 64

    /// What each of `jobs` usually takes in meta job `metaJob`: the median and p90 of its newest
    /// `DurationEstimate.sampleLimit` successful attempts (same meta job name, same job name, reused jobs not
    /// counted), looking through the meta job's newest `durationRunLimit` runs. A job with no success there is
    /// absent from the answer: no estimate, never a guess.
    ///
    /// Runs are read newest first, each through the (run, idx) primary key, and reading stops once every job
    /// has its samples; once only a few jobs lack samples, older runs are asked for just those (by name). A
    /// job's name is compared in place with the name the definition gives its index (the usual case: the same
    /// definition run again), so most rows cost no string at all.
    public func expectedDurations(metaJob: String, jobs: [String]) throws -> [String: DurationEstimate] {
        let want = DurationSamples(jobs: jobs, limit: DurationEstimate.sampleLimit)
        guard !jobs.isEmpty else { return [:] }
        return try pool.read { db in
            let runIds = try Int64.fetchAll(db, sql: """
                SELECT id FROM runs WHERE meta_job = ? ORDER BY started_at DESC, id DESC LIMIT ?
                """, arguments: [metaJob, Self.durationRunLimit])
            let statement = try db.makeStatement(sql: """
                SELECT idx, name, ended_at - started_at FROM jobs
                WHERE run = ? AND state = 'succeeded' AND reused_from IS NULL
                  AND started_at IS NOT NULL AND ended_at IS NOT NULL
                """)
            let handle = statement.sqliteStatement
            var samples = want
            let byName = try db.makeStatement(sql: """
                SELECT ended_at - started_at FROM jobs
                WHERE run = ? AND name = ? AND state = 'succeeded' AND reused_from IS NULL
                  AND started_at IS NOT NULL AND ended_at IS NOT NULL
                """)
            for run in runIds where !samples.isComplete {
                if samples.shortCount <= Self.durationLookupByName {
                    for (j, name) in samples.shortJobs {
                        if let seconds = try Double.fetchOne(byName, arguments: [run, name]) { samples.add(seconds, job: j) }
                    }
                    continue
                }
                sqlite3_reset(handle)
                sqlite3_bind_int64(handle, 1, run)
                while true {
                    let rc = sqlite3_step(handle)
                    guard rc == SQLITE_ROW else {
                        if rc == SQLITE_DONE { break }
                        throw DatabaseError(resultCode: ResultCode(rawValue: rc),
                                            message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                    let idx = Int(sqlite3_column_int64(handle, 0))
                    let seconds = sqlite3_column_double(handle, 2)
                    let count = Int(sqlite3_column_bytes(handle, 1))
                    guard let text = sqlite3_column_text(handle, 1) else { continue }
                    let name = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: count)
                    samples.add(seconds, index: idx, name: name)
                }
            }
            sqlite3_reset(handle)
            return samples.estimates()
        }
    }
}
