import Foundation
import GRDB
import MetaJobCore

/// The history of every run in one SQLite file: runs, their jobs, every job state change and every output line.
///
/// The file is in WAL mode behind a `DatabasePool`, so `history list`/`show`/`logs` in another process read
/// while a run writes, and a busy timeout makes concurrent writers (two runs at once) wait instead of failing.
public final class HistoryStore: @unchecked Sendable {
    /// The history file.
    public let path: String
    /// Readers run concurrently; writes are serialized by the pool (and by SQLite across processes).
    let pool: DatabasePool

    /// A running run whose heartbeat is older than this reads as interrupted, whatever host it ran on.
    static let heartbeatTimeout: Double = 60

    /// Opens (creating directories and the file) and migrates.
    public convenience init(path: String) throws {
        try self.init(path: path, busyTimeout: 10)
    }

    /// Opens with another busy timeout (tests make a locked file fail fast).
    init(path: String, busyTimeout: Double) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        } catch {
            throw HistoryError.cannotOpen(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
        try Self.refuseForeignFile(path)
        var config = Configuration()
        // Another run or a `history prune` may hold the write lock for a moment: wait rather than fail.
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            // In WAL mode NORMAL loses at most the last transactions on power loss, never consistency,
            // and spares an fsync per batch.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            // Switching a new file to WAL needs a moment alone with it, and SQLite does not wait for that.
            pool = try Self.retryingOpenerRaces { try DatabasePool(path: path, configuration: config) }
        } catch let error as DatabaseError {
            throw HistoryError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        }
        try Self.prepare(pool)
    }

    /// Refuses a file that exists, is not empty and is shorter than any SQLite database (512 bytes, the smallest
    /// page): SQLite would take it for a new file and write a fresh history over it, losing whatever it was (a
    /// truncated history, say). A longer file that is no database SQLite refuses itself ("not a database").
    /// Only `stat`: opening and closing the file here would drop this process's SQLite locks on it (POSIX locks
    /// belong to the process, not the descriptor), and another process could then delete the live WAL.
    static func refuseForeignFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0, info.st_size < 512 else { return }
        let size = "\(info.st_size) byte\(info.st_size == 1 ? "" : "s")"
        throw HistoryError.cannotOpen(path: path, reason: "it is not an SQLite database (\(size), smaller than any): a "
            + "damaged or truncated history, or another file. metajob does not replace it; move it aside (a new "
            + "history is then created in its place) or restore it from a copy")
    }

    /// The directory holding the runs' output files, beside the history file.
    public var logsDirectory: String { path + "-logs" }

    /// Makes sure a run's output can be recorded before the run starts: the logs directory exists (created if
    /// missing), is a directory (not a dangling link, a file or a device) and takes a new file.
    public func checkLogsDirectory() throws {
        let dir = logsDirectory
        var info = stat()
        if lstat(dir, &info) != 0 {
            guard errno == ENOENT else { throw HistoryError.logsDirectoryUnusable(path: dir, reason: String(cString: strerror(errno))) }
            if mkdir(dir, 0o755) != 0 && errno != EEXIST {
                throw HistoryError.logsDirectoryUnusable(path: dir, reason: "cannot create it: \(String(cString: strerror(errno)))")
            }
        } else if (info.st_mode & S_IFMT) == S_IFLNK && stat(dir, &info) != 0 {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: dir)) ?? "?"
            throw HistoryError.logsDirectoryUnusable(path: dir, reason: "it is a symbolic link to \(target), which "
                + "cannot be followed (\(String(cString: strerror(errno))))")
        }
        guard stat(dir, &info) == 0 else {
            throw HistoryError.logsDirectoryUnusable(path: dir, reason: String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFREG: throw HistoryError.logsDirectoryUnusable(path: dir, reason: "it is a file, not a directory")
        case S_IFCHR, S_IFBLK: throw HistoryError.logsDirectoryUnusable(path: dir, reason: "it is a device, not a directory")
        default: throw HistoryError.logsDirectoryUnusable(path: dir, reason: "it is not a directory")
        }
        // Permission bits do not stop root, and a read-only mount shows only when a file is made: make one.
        let probe = dir + "/.probe-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HistoryError.logsDirectoryUnusable(path: dir, reason: "a file cannot be created in it: \(String(cString: strerror(errno)))")
        }
        close(fd)
        unlink(probe)
    }

    /// Gives a new file its settings and brings any file's schema up to date, safely against other processes:
    /// the migrations run in one IMMEDIATE transaction (see `HistorySchema.migrate`).
    static func prepare(_ pool: DatabasePool) throws {
        if try pool.read({ try HistorySchema.isCurrent($0) }) { return }
        try retryingOpenerRaces {
            try pool.writeWithoutTransaction { db in
                // Only takes effect on a new file (before the first table): lets prune reclaim space without
                // rewriting the whole file.
                if try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0,
                   try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 {
                    try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                    // Switching to WAL already wrote the header; an empty file's VACUUM (instant) applies the mode.
                    try db.execute(sql: "VACUUM")
                }
                try db.inTransaction(.immediate) {
                    try HistorySchema.migrate(db)
                    return .commit
                }
            }
        }
    }

    /// Runs `body`, again (up to 20 times, 20 ms apart) while SQLite answers "busy" without waiting, as it does
    /// while another process switches a new file to WAL; that opener has finished by then.
    static func retryingOpenerRaces<T>(_ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where attempt < 20 && error.isRaceWithAnotherOpener {
                attempt += 1
                usleep(20_000)
            }
        }
    }

    /// $METAJOB_HISTORY, else $XDG_STATE_HOME/metajob/history.sqlite, else ~/.local/state/metajob/history.sqlite.
    public static func defaultPath(environment: [String: String]) -> String {
        if let explicit = environment["METAJOB_HISTORY"], !explicit.isEmpty { return explicit }
        // The XDG spec says relative values are invalid and must be ignored.
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/metajob/history.sqlite"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/metajob/history.sqlite"
    }

    /// The append-only file holding a run's output bytes: `<history file>-logs/<run id>.log`, beside the
    /// history file (as SQLite's own `-wal` file is).
    public func logFilePath(runId: String) -> String {
        logsDirectory + "/" + runId + ".log"
    }

    // MARK: - Writing

    /// Records the start of a run (state running, this host and pid, heartbeat now) and its jobs.
    public func beginRun(_ run: NewRun) throws {
        _ = try insertRun(run)
    }

    /// Inserts the run and its jobs in one transaction; returns the run's row id for the recorder's rows.
    func insertRun(_ run: NewRun) throws -> Int64 {
        let me = ProcessLiveness.current
        let now = Date().timeIntervalSince1970
        var id: Int64 = 0
        // IMMEDIATE: the resume lock is read and taken under one write lock, so two resumers cannot both see it free.
        try pool.writeWithoutTransaction { db in try db.inTransaction(.immediate) {
            if let previous = run.resumedFrom {
                try HistoryStore.claimResume(db, of: previous, by: run.runId, anyway: run.resumeAnyway)
            }
            try db.execute(sql: """
                INSERT INTO runs (run_id, meta_job, state, started_at, heartbeat_at, host, pid, pid_start, process_name,
                                  started_by, working_directory, command_line, definition_path, definition_text,
                                  settings_json, resumed_from, control_socket)
                VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.runId, run.metaJob, run.startedAt, now, ProcessLiveness.hostName, Int64(me.pid),
                                 me.start, me.name, run.startedBy, run.workingDirectory, HistoryStore.json(run.commandLine),
                                 run.definitionPath, Data(run.definitionText), run.settingsJSON, run.resumedFrom,
                                 run.controlSocket])
            id = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: """
                INSERT INTO jobs (run, idx, name, team, fail_dag_on_error, depends_on, reused_from, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var raw = RawStatement(insert, in: db)
            for (i, job) in run.jobs.enumerated() {
                let state = job.reusedFrom == nil ? JobState.pending : JobState.succeeded
                raw.begin()
                raw.bind(id); raw.bind(i); raw.bind(job.name); raw.bind(job.team); raw.bind(job.failDagOnError ? 1 : 0)
                raw.bind(HistoryStore.json(job.dependsOn)); raw.bind(job.reusedFrom); raw.bind(state.rawValue)
                try raw.step()
            }
            return .commit
        } }
        return id
    }

    /// Takes `previous`'s resume lock for `newRun`: refuses while any run of its resume chain is going, and
    /// (unless `anyway`) when it was resumed before. The lock is `resumed_by` naming a run that is alive by the
    /// usual rules (pid + start time on this host, else the heartbeat): a resumer that died holds nothing.
    static func claimResume(_ db: Database, of previous: String, by newRun: String, anyway: Bool) throws {
        let now = Date().timeIntervalSince1970
        guard let row = try Row.fetchOne(db, sql: "SELECT \(RunRow.columns) FROM runs WHERE run_id = ?",
                                         arguments: [previous]).map({ RunRow($0, now: now) }) else { return }
        var next = row.resumedBy
        var seen: Set<String> = [previous]
        var newest: RunRow?
        while let id = next, seen.insert(id).inserted,
              let later = try Row.fetchOne(db, sql: "SELECT \(RunRow.columns) FROM runs WHERE run_id = ?",
                                           arguments: [id]).map({ RunRow($0, now: now) }) {
            if later.state == .running {
                throw HistoryError.resumeLocked(run: previous, holder: later.runId, pid: later.pid, host: later.host)
            }
            if newest == nil { newest = later }
            next = later.resumedBy
        }
        if let newest, !anyway {
            throw HistoryError.alreadyResumed(run: previous, by: newest.runId, state: newest.state)
        }
        try db.execute(sql: "UPDATE runs SET resumed_by = ? WHERE id = ?", arguments: [newRun, row.id])
    }

    /// Records a run's state and end (nil while it runs again after a retry) with a fresh heartbeat; with
    /// `gaps`, what its recorder could not write. Every write to `runs` after the start goes through here.
    static func updateRun(_ db: Database, id: Int64, state: StoredRunState, endedAt: Double?, gaps: [String]? = nil) throws {
        let now = Date().timeIntervalSince1970
        if let gaps {
            try db.execute(sql: "UPDATE runs SET state = ?, ended_at = ?, heartbeat_at = ?, recording_gaps = ? WHERE id = ?",
                           arguments: [state.rawValue, endedAt, now, gaps.isEmpty ? nil : json(gaps), id])
        } else {
            try db.execute(sql: "UPDATE runs SET state = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?",
                           arguments: [state.rawValue, endedAt, now, id])
        }
    }

    /// Records a command another process sent to live run `runId` (`command` worded for people; `refused`: the
    /// run's reason when it refused).
    public func recordRequest(runId: String, _ request: StoredRequest) throws {
        try pool.write { db in
            let run = try HistoryStore.resolve(db, runId)
            try db.execute(sql: "INSERT INTO control_requests (run, time, client, user, command, refused) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [run.id, request.time, request.client, request.user, request.command, request.refused])
        }
    }

    /// The commands other processes sent to run `runId`, oldest first.
    public func requests(runId: String) throws -> [StoredRequest] {
        try pool.read { db in
            let run = try HistoryStore.resolve(db, runId)
            return try Row.fetchAll(db, sql: "SELECT time, client, user, command, refused FROM control_requests WHERE run = ? ORDER BY rowid",
                                    arguments: [run.id]).map {
                StoredRequest(time: $0[0], client: $0[1], user: $0[2], command: $0[3], refused: $0[4])
            }
        }
    }

    /// Tells other processes the run's recorder is alive.
    static func touchRun(_ db: Database, id: Int64) throws {
        try db.execute(sql: "UPDATE runs SET heartbeat_at = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, id])
    }

    /// The runs that resumed `runId`, then the runs that resumed those, …: oldest first (at most 1,000).
    public func resumeChain(after runId: String) throws -> [RunDetail] {
        var chain: [RunDetail] = []
        var seen: Set<String> = [runId]
        var next = try run(runId).summary.resumedBy
        while let id = next, seen.insert(id).inserted, chain.count < 1_000 {
            guard let later = try? run(id) else { break }  // pruned
            chain.append(later)
            next = later.summary.resumedBy
        }
        return chain
    }

    // MARK: - Reading

    /// Newest first; run id, meta job, state (running runs whose process is gone read as `interrupted`), started, ended, counts of jobs by final status.
    public func listRuns(limit: Int = 20, metaJob: String? = nil, state: StoredRunState? = nil) throws -> [RunSummary] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let metaJob { conditions.append("meta_job = ?"); arguments += [metaJob] }
            // Running and interrupted are both stored as `running` until a reader looks at the process.
            let derived = state == .running || state == .interrupted
            if derived {
                conditions.append("state IN ('running', 'interrupted')")
            } else if let state {
                conditions.append("state = ?"); arguments += [state.rawValue]
            }
            var sql = "SELECT \(RunRow.columns) FROM runs"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY started_at DESC, id DESC"
            if !derived { sql += " LIMIT ?"; arguments += [max(0, limit)] }
            let now = Date().timeIntervalSince1970
            var rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map { RunRow($0, now: now) }
            if derived { rows = Array(rows.filter { $0.state == state }.prefix(max(0, limit))) }
            let counts = try HistoryStore.jobCounts(db, runs: rows.map(\.id))
            return rows.map { $0.summary(counts: counts[$0.id] ?? [:]) }
        }
    }

    /// The run whose id is `idOrPrefix` or starts with it. Throws HistoryError.notFound / .ambiguous([ids]).
    public func run(_ idOrPrefix: String) throws -> RunDetail {
        try pool.read { db in
            let row = try HistoryStore.resolve(db, idOrPrefix)
            let counts = try HistoryStore.jobCounts(db, runs: [row.id])[row.id] ?? [:]
            var events: [Int: [JobEventRecord]] = [:]
            let eventRows = try Row.fetchCursor(db, sql: """
                SELECT job, time, state, attempt, exit_code, reason, execution_id, delay_reason, ready_at
                FROM job_events WHERE run = ? ORDER BY job, seq
                """, arguments: [row.id])
            while let e = try eventRows.next() {
                events[e[0], default: []].append(JobEventRecord(
                    time: e[1], state: e[2], attempt: e[3], exitCode: (e[4] as Int64?).map { Int32(truncatingIfNeeded: $0) },
                    reason: e[5], executionId: e[6], delayReason: e[7], readyAt: e[8]))
            }
            var jobs: [JobHistory] = []
            let jobRows = try Row.fetchCursor(db, sql: """
                SELECT idx, name, team, state, attempts, exit_code, reason, execution_id, started_at, ended_at, reused_from,
                       depends_on
                FROM jobs WHERE run = ? ORDER BY idx
                """, arguments: [row.id])
            while let j = try jobRows.next() {
                let idx: Int = j[0]
                jobs.append(JobHistory(
                    name: j[1], team: j[2], state: j[3], attempts: j[4],
                    exitCode: (j[5] as Int64?).map { Int32(truncatingIfNeeded: $0) }, reason: j[6], executionId: j[7],
                    startedAt: j[8], endedAt: j[9], reusedFrom: j[10], dependsOn: HistoryStore.strings(j[11]),
                    events: events[idx] ?? []))
            }
            return RunDetail(summary: row.summary(counts: counts), startedBy: row.startedBy, host: row.host, pid: row.pid,
                             workingDirectory: row.workingDirectory, commandLine: HistoryStore.strings(row.commandLine),
                             definitionPath: row.definitionPath, definitionText: row.definitionText,
                             settingsJSON: row.settingsJSON, jobs: jobs,
                             recordingGaps: row.recordingGaps.map(HistoryStore.strings) ?? [])
        }
    }

    /// Output lines of one attempt (nil: the last attempt), in order, bytes exactly as written; only lines with sequence > `after`.
    /// With `maxBytes`, stops once about that many stored bytes were read (a whole chunk more at most) and
    /// returns only lines before the first unread one: ask again after the last line returned for the rest,
    /// until an empty answer. That keeps a reader of a gigabyte log at a few megabytes.
    public func logs(runId: String, job: String, attempt: Int?, after: Int64 = 0, maxBytes: Int = .max) throws -> [StoredLogLine] {
        try pool.read { db in
            let run = try HistoryStore.resolve(db, runId)
            guard let jobRow = try Row.fetchOne(db, sql: "SELECT idx, attempts FROM jobs WHERE run = ? AND name = ?",
                                                arguments: [run.id, job]) else {
                throw HistoryError.jobNotFound(run: run.runId, job: job)
            }
            let idx: Int = jobRow[0]
            let last: Int = jobRow[1]
            let chosen = attempt ?? last
            var lines: [StoredLogLine] = []
            // Lines recorded before v3 (one row each), then the packed chunks; merged by sequence.
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT seq, time, attempt, stream, bytes FROM log_lines
                WHERE run = ? AND job = ? AND attempt = ? AND seq > ? ORDER BY seq
                """, arguments: [run.id, idx, chosen, after])
            while let r = try cursor.next() {
                let stream: Int = r[3]
                let data: Data? = r[4]
                lines.append(StoredLogLine(sequence: r[0], time: r[1], attempt: r[2],
                                           stream: stream == 2 ? .stderr : .stdout, bytes: data.map { [UInt8]($0) } ?? []))
            }
            let chunks = try Row.fetchCursor(db, sql: """
                SELECT stream, payload, file_offset, file_length, first_seq FROM log_chunks
                WHERE run = ? AND job = ? AND attempt = ? AND last_seq > ? ORDER BY first_seq
                """, arguments: [run.id, idx, chosen, after])
            var file: Int32 = -1
            defer { if file >= 0 { close(file) } }
            var buffer: [UInt8] = []
            var bytesRead = 0
            // Chunks of stdout and stderr overlap in sequence: a cut is safe only below the next chunk's first
            // line, since every line before it is in a chunk already read.
            var cutBefore: Int64?
            var firstRead = Int64.max
            while let r = try chunks.next() {
                // Below the next chunk's first line, at least one line must be in hand, or nothing is returned.
                let first: Int64 = r[4]
                if bytesRead >= maxBytes && firstRead < first {
                    cutBefore = first
                    break
                }
                let before = lines.count
                defer { firstRead = lines[before...].reduce(firstRead) { min($0, $1.sequence) } }
                let stream: LogStream = (r[0] as Int) == 2 ? .stderr : .stdout
                let fileOffset: Int64? = r[2]
                let fileLength: Int? = r[3]
                bytesRead += fileLength ?? 0
                guard let offset = fileOffset, let length = fileLength else {
                    let payload: Data = r[1]
                    bytesRead += payload.count
                    LogChunk.decode(payload, attempt: chosen, stream: stream, after: after, into: &lines)
                    continue
                }
                let logPath = logFilePath(runId: run.runId)
                if file < 0 {
                    file = open(logPath, O_RDONLY | O_CLOEXEC)
                    guard file >= 0 else {
                        throw HistoryError.logFileMissing(path: logPath, reason: String(cString: strerror(errno)))
                    }
                }
                if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
                let got = buffer.withUnsafeMutableBytes { raw -> Int in
                    var done = 0
                    while done < length {
                        let n = pread(file, raw.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { break }
                        done += n
                    }
                    return done
                }
                guard got == length else {
                    throw HistoryError.logFileMissing(path: logPath, reason: "it ends before byte \(offset + Int64(length))")
                }
                do {
                    try buffer.withUnsafeBytes { raw in
                        try LogChunk.decodeSegments(UnsafeRawBufferPointer(rebasing: raw[0..<length]), attempt: chosen,
                                                    stream: stream, after: after, into: &lines)
                    }
                } catch let damage as LogChunk.Damage {
                    throw HistoryError.logFileDamaged(path: logPath, offset: offset + Int64(damage.offset), reason: damage.reason)
                }
            }
            // Chunks of stdout and stderr interleave in time: restore the order the lines arrived in (a
            // stable sort of nearly sorted input, so cheap).
            lines.sort { $0.sequence < $1.sequence }
            if let cutBefore, let keep = lines.firstIndex(where: { $0.sequence >= cutBefore }) {
                lines.removeSubrange(keep...)
            }
            return lines
        }
    }

    // MARK: - Maintenance

    /// Deletes runs beyond the newest `keep`, with all their rows; then reclaims space. Returns the number of runs deleted. Never deletes a running run that is alive.
    public func prune(keep: Int) throws -> Int {
        try prune { db, now in
            try Row.fetchAll(db, sql: "SELECT \(RunRow.columns) FROM runs ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?",
                             arguments: [max(0, keep)]).map { RunRow($0, now: now) }
        }
    }

    /// Deletes runs started before `olderThan` (seconds since 1970), with all their rows; then reclaims space. Returns the number of runs deleted. Never deletes a running run that is alive.
    public func prune(olderThan: Double) throws -> Int {
        try prune { db, now in
            try Row.fetchAll(db, sql: "SELECT \(RunRow.columns) FROM runs WHERE started_at < ?",
                             arguments: [olderThan]).map { RunRow($0, now: now) }
        }
    }

    /// PRAGMA integrity_check == "ok".
    public func integrityCheck() throws -> Bool {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"] }
    }

    private func prune(_ candidates: @escaping (Database, Double) throws -> [RunRow]) throws -> Int {
        let (deleted, runIds) = try pool.write { db -> (Int, [String]) in
            let now = Date().timeIntervalSince1970
            // A live run is still being written: deleting it would orphan its recorder's rows.
            let rows = try candidates(db, now).filter { $0.state != .running }
            let doomed = rows.map(\.id)
            for chunk in stride(from: 0, to: doomed.count, by: 500) {
                let ids = doomed[chunk..<min(chunk + 500, doomed.count)]
                let list = ids.map(String.init).joined(separator: ",")
                // Explicit deletes instead of relying on ON DELETE CASCADE: foreign keys may be off in other tools.
                for table in ["log_lines", "log_chunks", "job_events", "jobs", "control_requests", "notifications"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE run IN (\(list))")
                }
                try db.execute(sql: "DELETE FROM runs WHERE id IN (\(list))")
            }
            return (doomed.count, rows.map(\.runId))
        }
        // After the commit: a crash in between leaves a file without rows, never rows without their file.
        for runId in runIds { unlink(logFilePath(runId: runId)) }
        if deleted > 0 {
            try pool.writeWithoutTransaction { db in
                if try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2 {
                    try db.execute(sql: "PRAGMA incremental_vacuum")
                } else {
                    // A file created without auto_vacuum (by another tool) needs the full rewrite.
                    try db.execute(sql: "VACUUM")
                }
            }
        }
        return deleted
    }

    // MARK: - Helpers

    /// The run whose id is `idOrPrefix`, or the single one starting with it.
    static func resolve(_ db: Database, _ idOrPrefix: String) throws -> RunRow {
        let now = Date().timeIntervalSince1970
        if let row = try Row.fetchOne(db, sql: "SELECT \(RunRow.columns) FROM runs WHERE run_id = ?", arguments: [idOrPrefix]) {
            return RunRow(row, now: now)
        }
        // A range on the unique index instead of LIKE: no escaping of `%`/`_`, and it uses the index.
        let ids = try String.fetchAll(db, sql: "SELECT run_id FROM runs WHERE run_id >= ? AND run_id < ? ORDER BY run_id LIMIT 11",
                                      arguments: [idOrPrefix, idOrPrefix + "\u{10FFFF}"])
        guard !idOrPrefix.isEmpty, let first = ids.first else { throw HistoryError.notFound(idOrPrefix) }
        guard ids.count == 1 else { throw HistoryError.ambiguous(idOrPrefix, Array(ids.prefix(10))) }
        let row = try Row.fetchOne(db, sql: "SELECT \(RunRow.columns) FROM runs WHERE run_id = ?", arguments: [first])!
        return RunRow(row, now: now)
    }

    /// Jobs per last known state, for each run.
    static func jobCounts(_ db: Database, runs: [Int64]) throws -> [Int64: [String: Int]] {
        guard !runs.isEmpty else { return [:] }
        var counts: [Int64: [String: Int]] = [:]
        let list = runs.map(String.init).joined(separator: ",")
        let cursor = try Row.fetchCursor(db, sql: "SELECT run, state, count(*) FROM jobs WHERE run IN (\(list)) GROUP BY run, state")
        while let row = try cursor.next() {
            counts[row[0], default: [:]][row[1] as String] = row[2]
        }
        return counts
    }

    /// A JSON array of strings. Not JSONSerialization: it runs once per job when a run starts, and
    /// Foundation's took ~15 µs a call (0.15 s for a 10,000-job run).
    static func json(_ strings: [String]) -> String {
        var text = "["
        for (i, string) in strings.enumerated() {
            if i > 0 { text += "," }
            JSONValue.writeString(string, into: &text)
        }
        return text + "]"
    }

    static func strings(_ json: String) -> [String] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String] ?? []
    }
}

private extension DatabaseError {
    /// True for the errors a concurrent first open of the same file causes, which a retry resolves.
    var isRaceWithAnotherOpener: Bool {
        resultCode == .SQLITE_BUSY || resultCode == .SQLITE_LOCKED
    }
}
