import GRDB
import MetaJobCore

/// A run's notifications in the history (table `notifications`).
extension HistoryStore {
    /// Appends how a notification of `runId` went.
    public func recordNotification(runId: String, _ record: NotificationRecord) throws {
        try pool.write { db in
            guard let run = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE run_id = ?", arguments: [runId]) else {
                throw HistoryError.notFound(runId)
            }
            let seq = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM notifications WHERE run = ?",
                                         arguments: [run]) ?? 1
            try db.execute(sql: """
                INSERT INTO notifications (run, seq, time, hook, target, ok, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run, seq, record.time, record.hook, record.target, record.ok, record.detail])
        }
    }

    /// The notifications of the run `runId`, in the order they were sent.
    public func notifications(runId: String) throws -> [NotificationRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT n.hook, n.target, n.ok, n.detail, n.time FROM notifications n JOIN runs r ON r.id = n.run
                WHERE r.run_id = ? ORDER BY n.seq
                """, arguments: [runId]).map {
                NotificationRecord(hook: $0[0], target: $0[1], ok: $0[2], detail: $0[3], time: $0[4])
            }
        }
    }
}
