import GRDB

/// The history file's schema as named migrations: a newer metajob opens an older file and brings it forward.
/// Which migrations a file has is kept in `grdb_migrations` (the table GRDB's migrator used for the first
/// files), so each runs once.
enum HistorySchema {
    /// One named step of the schema.
    struct Migration: Sendable {
        var name: String
        var apply: @Sendable (Database) throws -> Void
    }

    /// Applies the migrations `db` lacks, up to and including `last` (all when nil). Call inside an IMMEDIATE
    /// transaction: reading what is applied and applying the rest then happen under one write lock, so a
    /// second process opening the same new file waits and then finds nothing left to do. (GRDB's migrator
    /// read before locking, and two first opens both created the tables.)
    static func migrate(_ db: Database, upTo last: String? = nil) throws {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        let done = Set(try applied(db))
        for migration in migrations {
            if !done.contains(migration.name) {
                try migration.apply(db)
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.name])
            }
            if migration.name == last { break }
        }
    }

    /// The names of the migrations applied to `db`, oldest first.
    static func applied(_ db: Database) throws -> [String] {
        guard try db.tableExists("grdb_migrations") else { return [] }
        let names = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        return migrations.map(\.name).filter(names.contains)
    }

    /// True when every migration is applied (a reader then needs no write lock).
    static func isCurrent(_ db: Database) throws -> Bool {
        try applied(db).count == migrations.count
    }

    /// Every migration, oldest first. Append new ones; never edit a released one.
    static let migrations: [Migration] = [
        Migration(name: "v1") { db in
            // `id` is the rowid: children refer to it (8 bytes) instead of repeating the run id text.
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    run_id TEXT NOT NULL UNIQUE,
                    meta_job TEXT NOT NULL,
                    state TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    ended_at REAL,
                    heartbeat_at REAL NOT NULL,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    pid_start INTEGER,
                    process_name TEXT,
                    started_by TEXT NOT NULL,
                    working_directory TEXT NOT NULL,
                    command_line TEXT NOT NULL,
                    definition_path TEXT,
                    definition_text BLOB NOT NULL,
                    settings_json TEXT NOT NULL,
                    resumed_from TEXT
                );
                -- list: newest first.
                CREATE INDEX runs_started ON runs(started_at);
                CREATE TABLE jobs (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    idx INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    team TEXT,
                    fail_dag_on_error INTEGER NOT NULL,
                    depends_on TEXT NOT NULL,
                    reused_from TEXT,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    exit_code INTEGER,
                    reason TEXT,
                    execution_id TEXT,
                    started_at REAL,
                    ended_at REAL,
                    PRIMARY KEY (run, idx)
                ) WITHOUT ROWID;
                -- logs: job name → index.
                CREATE INDEX jobs_name ON jobs(run, name);
                CREATE TABLE job_events (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    job INTEGER NOT NULL,
                    time REAL NOT NULL,
                    state TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    exit_code INTEGER,
                    reason TEXT,
                    execution_id TEXT,
                    delay_reason TEXT,
                    ready_at REAL
                );
                -- show: a run's events, by job, in rowid (arrival) order.
                CREATE INDEX job_events_run ON job_events(run, job);
                CREATE TABLE log_lines (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    job INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    stream INTEGER NOT NULL,
                    time REAL NOT NULL,
                    bytes BLOB NOT NULL
                );
                -- logs: one attempt's lines in order, from a sequence on (a follower's poll).
                CREATE INDEX log_lines_attempt ON log_lines(run, job, attempt, seq);
                """)
        },
        Migration(name: "v2") { db in
            // `history list --meta-job X`: newest runs of one meta job without scanning the others.
            try db.execute(sql: "CREATE INDEX runs_meta_job ON runs(meta_job, started_at)")
            // `history list --state X` and prune's liveness checks: the few running runs without a scan.
            try db.execute(sql: "CREATE INDEX runs_state ON runs(state, started_at)")
        },
        Migration(name: "v3") { db in
            // Output lines packed per job attempt and stream (see LogChunk): a row per line was too slow for
            // jobs that write millions of lines. Files from v1/v2 keep their `log_lines`, read alongside.
            try db.execute(sql: """
                CREATE TABLE log_chunks (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    job INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    stream INTEGER NOT NULL,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    lines INTEGER NOT NULL,
                    payload BLOB NOT NULL
                );
                -- logs: one attempt's chunks, from a sequence on (a follower's poll).
                CREATE INDEX log_chunks_attempt ON log_chunks(run, job, attempt, last_seq);
                """)
        },
        Migration(name: "v4") { db in
            // Output bytes moved to an append-only file per run (see LogChunk, HistoryStore.logFilePath): SQLite
            // in WAL mode wrote every byte twice, in 4 KiB pages. v3 rows keep their bytes in `payload`.
            try db.execute(sql: "ALTER TABLE log_chunks ADD COLUMN file_offset INTEGER")
            try db.execute(sql: "ALTER TABLE log_chunks ADD COLUMN file_length INTEGER")
        },
        Migration(name: "v5") { db in
            // A run's events keyed by (run, job, seq) in one B-tree: the table plus its (run, job) index cost two
            // inserts per event, ~40,000 per 10,000-job run. Old rows keep their order through their rowid.
            try db.execute(sql: """
                CREATE TABLE job_events_v5 (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    job INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    time REAL NOT NULL,
                    state TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    exit_code INTEGER,
                    reason TEXT,
                    execution_id TEXT,
                    delay_reason TEXT,
                    ready_at REAL,
                    PRIMARY KEY (run, job, seq)
                ) WITHOUT ROWID;
                INSERT INTO job_events_v5 (run, job, seq, time, state, attempt, exit_code, reason, execution_id,
                                           delay_reason, ready_at)
                    SELECT run, job, rowid, time, state, attempt, exit_code, reason, execution_id, delay_reason, ready_at
                    FROM job_events;
                DROP TABLE job_events;
                ALTER TABLE job_events_v5 RENAME TO job_events;
                """)
        },
        Migration(name: "v6-resume-lock") { db in
            // `resumed_by`: the newest run that resumed this one. While that run is alive it holds this run's
            // resume lock (its own pid, start time and heartbeat say so: no second lock to go stale).
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN resumed_by TEXT")
            // What the recorder could not write (output it dropped while the disk was full, say), one line each.
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN recording_gaps TEXT")
        },
        Migration(name: "v7-notifications") { db in
            // How each notification of a run went (`metajob run --notify-…`, `notifications:`): a failed hook is
            // recorded here, beside the run, because it never changes the run's own outcome.
            try db.execute(sql: """
                CREATE TABLE notifications (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    time REAL NOT NULL,
                    hook TEXT NOT NULL,
                    target TEXT NOT NULL,
                    ok INTEGER NOT NULL,
                    detail TEXT NOT NULL,
                    PRIMARY KEY (run, seq)
                ) WITHOUT ROWID;
                """)
        },
        // Named v8: main's v7-notifications comes first once both branches are merged (names, not numbers, are kept).
        Migration(name: "v8-control-socket") { db in
            // Where a live run serves its run connection (a Unix socket on `host`): `attach` and the control
            // verbs find it here. Older files simply have none (their runs were not reachable).
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN control_socket TEXT")
            // Who steered a live run from outside (an attached dashboard, a CLI verb), so its history says who retried what.
            try db.execute(sql: """
                CREATE TABLE control_requests (
                    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    time REAL NOT NULL,
                    client TEXT NOT NULL,
                    user TEXT NOT NULL,
                    command TEXT NOT NULL,
                    refused TEXT
                );
                CREATE INDEX control_requests_run ON control_requests(run);
                """)
        },
    ]
}
