import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import MetaJobCore

/// Records one run through its event stream: a RunObserver like any other.
///
/// The runner's queue only appends rows to an in-memory batch; the recorder's own serial queue writes a batch
/// in one transaction every ~250 ms (or at 2,000 rows), so a crash loses at most the last batch and a
/// 10,000-job run pays a few hundred transactions, not tens of thousands.
///
/// A write that fails (a full disk, a locked file) never ends the recording: the states, exit codes and the
/// outcome wait in memory (bounded: past `maxPendingEvents` the oldest event rows go, each job's own row keeps
/// its latest state) and are written when writing works again; output bytes that cannot be written are dropped
/// and `losses` says which. `close` tries hardest to write the end.
public final class HistoryRecorder: RunObserver, @unchecked Sendable {
    /// Write a batch this long after its first row arrived. Each commit rewrites every page it touched, and a busy
    /// run touches the same pages (the jobs rows and events of the jobs in flight) batch after batch: on DAG10K the
    /// writer's threads took ~380 ms of CPU at 100 ms and ~220 ms at 250 ms (perf samples, 4 runs each).
    static let batchInterval: DispatchTimeInterval = .milliseconds(250)
    /// Write at once when this many rows wait.
    static let batchRows = 2_000
    /// Write at once when this many log bytes wait: output goes to the log file in large appends.
    static let batchBytes = 2 << 20
    /// Block the runner's queue while more log bytes than this wait: the job is then paced by its pipe.
    static let maxBufferedBytes = 8 << 20
    /// The heartbeat is written at least this often, even when nothing happens.
    static let heartbeatInterval: DispatchTimeInterval = .seconds(2)

    private let store: HistoryStore
    private let runRowId: Int64
    private let runId: String
    private let writer = DispatchQueue(label: "metajob.history.writer")
    private var heartbeat: DispatchSourceTimer?
    /// The run's log file, opened on the writer's queue at the first output; -1 until then.
    private var logFD: Int32 = -1
    /// The log file's size: where the next chunk goes. Only this recorder appends to its run's file.
    private var logFileSize: Int64 = 0

    // Everything below belongs to `lock`: the runner's queue fills, the writer's queue drains.
    private let lock = NSCondition()
    private var batch = Batch()
    private var bufferedBytes = 0
    private var writeScheduled = false
    /// A full batch was handed to the writer and not yet taken: don't queue another.
    private var urgentScheduled = false
    private var closed = false
    /// Each job's summary as the events left it; written for the jobs in `dirty`.
    private var summaries: [JobSummary]
    private var dirty = Set<Int>()
    /// Converts state-machine times (`readyAt`) to wall times; set by `attach`.
    private var wallClockOrigin: Double = 0
    /// The last `.runFinished`, so `close` keeps its state and time.
    private var finished: (state: StoredRunState, time: Double)?
    /// What could not be written, and when writing failed.
    private var losses = RecordingLosses()
    /// A write failed for another reason than a lock held by another writer (worth a warning even if nothing was lost).
    private var failedHard = false
    /// The jobs' names, for the warning.
    private let jobNames: [String]
    /// Batches that failed in a row; a locked file keeps its output for `maxRetries` tries, then drops it.
    private var consecutiveFailures = 0
    static let maxRetries = 5
    /// Event rows kept for a retry at most (~100 bytes each); older ones are dropped past it.
    static let maxPendingEvents = 200_000
    /// How long `close` keeps trying to write the end of the run (tests shorten it).
    var closePatience: Double = 10
    /// Batches kept for a retry so far (tests check the path was taken).
    private(set) var retriedBatches = 0
    /// The most log bytes that waited for the writer at once (the memory bound, checked by tests).
    private var peakBytes = 0
    var peakBufferedBytes: Int { lock.lock(); defer { lock.unlock() }; return peakBytes }

    /// Records `run` as started (calls `beginRun`); subscribe it to the runner next.
    public init(store: HistoryStore, run: NewRun) throws {
        self.store = store
        self.runId = run.runId
        self.jobNames = run.jobs.map(\.name)
        // Before the run's row exists: a run whose output cannot be recorded is refused before anything starts.
        try store.checkLogsDirectory()
        self.runRowId = try store.insertRun(run)
        self.summaries = run.jobs.map { JobSummary(state: $0.reusedFrom == nil ? .pending : .succeeded) }
        let timer = DispatchSource.makeTimerSource(queue: writer)
        timer.schedule(deadline: .now() + HistoryRecorder.heartbeatInterval, repeating: HistoryRecorder.heartbeatInterval)
        // Another process tells a live run from a dead one by this heartbeat; an empty batch still writes it.
        timer.setEventHandler { [weak self] in self?.writeBatch() }
        heartbeat = timer
        timer.resume()
    }

    /// What the history lacks, if anything: what was lost and when writing failed (recording never stops the
    /// run). Nil when everything was written, at most late because another writer held the file.
    public var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        guard failedHard || !losses.isEmpty else { return nil }
        return RecordingReport(text: losses.report(names: jobNames))
    }

    /// What the recorder could not write, one sentence each (empty when nothing was lost).
    public var lost: [String] {
        lock.lock()
        defer { lock.unlock() }
        return losses.lines(names: jobNames)
    }

    // MARK: - RunObserver (the runner's queue)

    /// Takes the clock origin and the jobs' current state (an observer may attach after the start).
    public func attach(_ snapshot: RunSnapshot) {
        lock.lock()
        defer { lock.unlock() }
        wallClockOrigin = snapshot.wallClockOrigin
        for (j, progress) in snapshot.jobs.enumerated() where j < summaries.count && progress.state != summaries[j].state {
            summaries[j] = progress
            dirty.insert(j)
        }
    }

    /// Appends the event's rows to the batch; blocks while too many log bytes wait for the writer.
    public func receive(_ event: RunEvent) {
        lock.lock()
        switch event.kind {
        case .job(let u):
            let readyAt = u.readyAt.map { wallClockOrigin + $0 }
            batch.events.append(EventRow(job: u.job, sequence: Int64(event.sequence), time: event.time, state: u.state.rawValue, attempt: u.attempt,
                                         exitCode: u.exitCode, reason: u.reason, executionId: u.executionId,
                                         delayReason: u.delayReason?.code, readyAt: readyAt))
            if u.job < summaries.count {
                summaries[u.job].apply(u, at: event.time, origin: wallClockOrigin)
                dirty.insert(u.job)
            }
        case let .log(job, attempt, stream, lines):
            batch.append(job: job, attempt: attempt, stream: stream == .stderr ? 2 : 1,
                         firstSequence: Int64(event.sequence), time: event.time, lines: lines)
            bufferedBytes += lines.byteCount
            peakBytes = max(peakBytes, bufferedBytes)
        case .runFinished(let outcome):
            finished = (StoredRunState(outcome), event.time)
            batch.runState = (StoredRunState(outcome), event.time)
        case .runReopened:
            finished = nil
            batch.runState = (.running, nil)
        case .runStarted, .controls:
            break
        }
        let rows = batch.events.count + batch.chunks.count
        if rows >= HistoryRecorder.batchRows || bufferedBytes >= HistoryRecorder.batchBytes {
            scheduleWrite(now: true)
        } else if !writeScheduled {
            scheduleWrite(now: false)
        }
        // Backpressure: the runner stops reading this job's pipe until the writer catches up.
        while bufferedBytes > HistoryRecorder.maxBufferedBytes && !closed {
            lock.wait()
        }
        lock.unlock()
    }

    /// Writes everything still buffered and records the end (state + ended_at). Call after the run finished; blocks until written.
    public func close(outcome: RunOutcome?) {
        lock.lock()
        if closed { lock.unlock(); return }
        closed = true
        lock.broadcast()
        lock.unlock()
        writer.sync {
            heartbeat?.cancel()
            heartbeat = nil
            defer {
                if logFD >= 0 { Glibc.close(logFD) }
                logFD = -1
            }
            lock.lock()
            // A run that never finished (its process is stopping) is interrupted, not running.
            let state = outcome.map(StoredRunState.init) ?? finished?.state ?? .interrupted
            let endedAt = finished?.time ?? Date().timeIntervalSince1970
            batch.runState = (state, endedAt)
            batch.final = true
            lock.unlock()
            // The end goes with the last rows; when the disk is still full, a few more chances for space to return.
            let deadline = Date().timeIntervalSince1970 + closePatience
            while !writeBatch() && Date().timeIntervalSince1970 < deadline {
                Thread.sleep(forTimeInterval: 0.25)
            }
            lock.lock()
            let written = batch.runState == nil
            lock.unlock()
            if !written { writeEndAlone(state: state, endedAt: endedAt) }
        }
    }

    /// The last resort when the last batch cannot be written: only the jobs' rows and the run's end (a few pages,
    /// which a nearly full disk may still take), without the event rows.
    private func writeEndAlone(state: StoredRunState, endedAt: Double) {
        lock.lock()
        losses.dropped(batch.events[...])
        batch.events = []
        let jobs = summaries.indices.map { ($0, summaries[$0]) }
        var end = Batch()
        end.runState = (state, endedAt)
        end.final = true
        end.gaps = losses.lines(names: jobNames)
        lock.unlock()
        do {
            try write(end, jobs: jobs)
        } catch {
            lock.lock()
            losses.failed(at: Date().timeIntervalSince1970, error)
            losses.finalStateLost = state
            failedHard = true
            lock.unlock()
        }
    }

    /// Writes what is buffered now and waits for it (tests, and a caller about to read its own run).
    public func sync() {
        writer.sync { _ = writeBatch() }
    }

    deinit {
        heartbeat?.cancel()
        if logFD >= 0 { Glibc.close(logFD) }
    }

    // MARK: - The writer's queue

    /// Called with `lock` held.
    private func scheduleWrite(now: Bool) {
        if now {
            guard !urgentScheduled else { return }
            urgentScheduled = true
            writer.async { self.writeBatch() }
        } else {
            writeScheduled = true
            writer.asyncAfter(deadline: .now() + HistoryRecorder.batchInterval) { self.writeBatch() }
        }
    }

    /// Takes the batch and writes it in one transaction, with the dirty job summaries and the heartbeat.
    /// Returns false when rows were kept for a retry.
    @discardableResult
    private func writeBatch() -> Bool {
        lock.lock()
        var taken = batch
        batch = Batch()
        writeScheduled = false
        urgentScheduled = false
        let jobs = dirty.map { ($0, summaries[$0]) }
        dirty.removeAll(keepingCapacity: true)
        if taken.final { taken.gaps = losses.lines(names: jobNames) }
        lock.unlock()
        // Output whose bytes cannot be appended is dropped here; the states go on to the database regardless.
        var logError: Error?
        do { try appendToLogFile(&taken.chunks) } catch { logError = error }
        var unwritten: [LogChunk] = []
        if logError != nil {
            unwritten = taken.chunks.filter { $0.fileOffset == nil }
            taken.chunks.removeAll { $0.fileOffset == nil }
            if taken.final {
                // The gaps written with the end must name these too.
                lock.lock()
                for chunk in unwritten { losses.dropped(chunk) }
                taken.gaps = losses.lines(names: jobNames)
                lock.unlock()
            }
        }
        var dbError: Error?
        do { try write(taken, jobs: jobs) } catch { dbError = error }
        let now = Date().timeIntervalSince1970
        lock.lock()
        defer { lock.broadcast(); lock.unlock() }
        if let logError {
            if !taken.final { for chunk in unwritten { losses.dropped(chunk) } }
            bufferedBytes -= unwritten.reduce(0) { $0 + $1.lineBytes }
            losses.failed(at: now, logError)
            failedHard = true
        }
        guard let error = dbError else {
            consecutiveFailures = 0
            if logError == nil { losses.wrote(at: now) }
            bufferedBytes -= taken.chunks.reduce(0) { $0 + $1.lineBytes }
            return true
        }
        consecutiveFailures += 1
        losses.failed(at: now, error)
        let transient = HistoryRecorder.isTransient(error)
        if !transient { failedHard = true }
        // The states, exit codes and the run's end go back in front of the newer rows, to be written later.
        retriedBatches += 1
        batch.events = taken.events + batch.events
        if batch.events.count > HistoryRecorder.maxPendingEvents {
            let excess = batch.events.count - HistoryRecorder.maxPendingEvents
            losses.dropped(batch.events[..<excess])
            batch.events.removeFirst(excess)
        }
        if transient && consecutiveFailures <= HistoryRecorder.maxRetries {
            // Another writer held the file past the busy timeout: the output waits too (still counted against
            // the memory bound); its bytes are in the log file already, so a retry does not append them again.
            batch.chunks = taken.chunks + batch.chunks
            batch.lineCount += taken.lineCount
            batch.forgetChunkPositions()  // indices moved
        } else {
            // Output may be dropped under pressure; states may not. Its bytes stay in the log file, unread.
            for chunk in taken.chunks { losses.dropped(chunk) }
            bufferedBytes -= taken.chunks.reduce(0) { $0 + $1.lineBytes }
        }
        if batch.runState == nil { batch.runState = taken.runState }
        batch.final = batch.final || taken.final
        for (j, _) in jobs { dirty.insert(j) }
        if !writeScheduled && !closed {
            writeScheduled = true
            writer.asyncAfter(deadline: .now() + .milliseconds(500)) { self.writeBatch() }
        }
        return false
    }

    /// Errors that pass: the file was locked by another writer.
    private static func isTransient(_ error: Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    /// Appends the chunks' bytes to the run's log file (those not written by an earlier try), noting where.
    /// The bytes are in the file before the rows pointing at them commit, so a reader never finds a row
    /// whose bytes are missing; bytes without a row (a crash in between) are never read.
    private func appendToLogFile(_ chunks: inout [LogChunk]) throws {
        guard chunks.contains(where: { $0.fileOffset == nil }) else { return }
        if logFD < 0 {
            let path = store.logFilePath(runId: runId)
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
            } catch {
                throw HistoryError.cannotWriteLog(path: path, reason: error.localizedDescription)
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw HistoryError.cannotWriteLog(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            logFileSize = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
            logFD = fd
        }
        for i in chunks.indices where chunks[i].fileOffset == nil {
            try chunks[i].payload.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Glibc.write(logFD, raw.baseAddress! + done, raw.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        let reason = String(cString: strerror(errno))
                        // Cut off a partly written chunk: the next one starts where the file's known bytes end.
                        if done > 0 { _ = ftruncate(logFD, off_t(logFileSize)) }
                        throw HistoryError.cannotWriteLog(path: store.logFilePath(runId: runId), reason: reason)
                    }
                    done += n
                }
            }
            chunks[i].fileOffset = logFileSize
            logFileSize += Int64(chunks[i].payload.count)
        }
    }

    private func write(_ batch: Batch, jobs: [(Int, JobSummary)]) throws {
        let run = runRowId
        try store.pool.write { db in
            if !batch.events.isEmpty {
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO job_events (run, job, seq, time, state, attempt, exit_code, reason, execution_id, delay_reason,
                                            ready_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                var raw = RawStatement(insert, in: db)
                for e in batch.events {
                    raw.begin()
                    raw.bind(run); raw.bind(e.job); raw.bind(e.sequence); raw.bind(e.time); raw.bind(e.state); raw.bind(e.attempt)
                    raw.bind(e.exitCode.map { Int64($0) }); raw.bind(e.reason); raw.bind(e.executionId)
                    raw.bind(e.delayReason); raw.bind(e.readyAt)
                    try raw.step()
                }
            }
            if !batch.chunks.isEmpty {
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO log_chunks (run, job, attempt, stream, first_seq, last_seq, lines, payload,
                                            file_offset, file_length)
                    VALUES (?, ?, ?, ?, ?, ?, ?, x'', ?, ?)
                    """)
                var raw = RawStatement(insert, in: db)
                for c in batch.chunks {
                    raw.begin()
                    raw.bind(run); raw.bind(c.job); raw.bind(c.attempt); raw.bind(c.stream)
                    raw.bind(c.firstSequence); raw.bind(c.lastSequence); raw.bind(c.lineCount)
                    raw.bind(c.fileOffset); raw.bind(c.payload.count)
                    try raw.step()
                }
            }
            if !jobs.isEmpty {
                let update = try db.cachedStatement(sql: """
                    UPDATE jobs SET state = ?, attempts = ?, exit_code = ?, reason = ?, execution_id = ?,
                                    started_at = ?, ended_at = ? WHERE run = ? AND idx = ?
                    """)
                var raw = RawStatement(update, in: db)
                for (j, s) in jobs {
                    raw.begin()
                    raw.bind(s.state.rawValue); raw.bind(s.attempts); raw.bind(s.exitCode.map { Int64($0) })
                    raw.bind(s.reason); raw.bind(s.executionId); raw.bind(s.startedAt); raw.bind(s.endedAt)
                    raw.bind(run); raw.bind(j)
                    try raw.step()
                }
            }
            if let (state, endedAt) = batch.runState {
                try HistoryStore.updateRun(db, id: run, state: state, endedAt: endedAt, gaps: batch.final ? batch.gaps : nil)
            } else {
                try HistoryStore.touchRun(db, id: run)
            }
        }
    }
}
