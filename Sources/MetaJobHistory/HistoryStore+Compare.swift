import GRDB
import MetaJobCore

extension HistoryStore {
    /// The run of the same meta job that started just before `runId` (or `runId`'s prefix); nil when it is the
    /// first one the history keeps. What "what changed" compares a run with by default.
    public func previousRun(of runId: String) throws -> RunDetail? {
        let id: String? = try pool.read { db in
            let row = try HistoryStore.resolve(db, runId)
            return try String.fetchOne(db, sql: """
                SELECT run_id FROM runs WHERE meta_job = ? AND (started_at < ? OR (started_at = ? AND id < ?))
                ORDER BY started_at DESC, id DESC LIMIT 1
                """, arguments: [row.metaJob, row.startedAt, row.startedAt, row.id])
        }
        return try id.map { try run($0) }
    }

    /// `runId` compared with `otherId`, or with the previous run of its meta job when `otherId` is nil; nil
    /// when there is no previous run.
    public func comparison(of runId: String, with otherId: String? = nil) throws -> RunComparison? {
        let current = try run(runId)
        let previous = try otherId.map { try run($0) } ?? previousRun(of: current.summary.runId)
        return previous.map { RunComparison(current: current, previous: $0) }
    }
}
