import MetaJobCore

/// Why a history lookup failed, worded for the command line.
public enum HistoryError: Error, CustomStringConvertible, Equatable {
    /// No run id is or starts with this.
    case notFound(String)
    /// Several run ids start with this prefix (some of them listed).
    case ambiguous(String, [String])
    /// The run has no job of this name.
    case jobNotFound(run: String, job: String)
    /// The history file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// A run's log file could not be written or read.
    case cannotWriteLog(path: String, reason: String)
    /// A run's log file is missing or shorter than its recorded lines say.
    case logFileMissing(path: String, reason: String)
    /// A run's log file holds a segment whose header cannot be right (the file was damaged).
    case logFileDamaged(path: String, offset: Int64, reason: String)
    /// The directory beside the history file that holds the runs' output cannot be used.
    case logsDirectoryUnusable(path: String, reason: String)
    /// Another process is resuming `run` now: `holder` is the run it started (pid on host).
    case resumeLocked(run: String, holder: String, pid: Int32, host: String)
    /// `run` was resumed already, by `by` (which ended as `state`).
    case alreadyResumed(run: String, by: String, state: StoredRunState)

    /// The message to print, with what to do next.
    public var description: String {
        switch self {
        case .notFound(let id):
            return "no run \"\(id)\" in the history; run `metajob history list` to see the recorded runs"
        case let .ambiguous(prefix, ids):
            return "\"\(prefix)\" matches several runs (\(ids.joined(separator: ", "))); type more of the run id"
        case let .jobNotFound(run, job):
            return "run \(run) has no job \"\(job)\"; run `metajob history show \(run)` to see its jobs"
        case let .cannotOpen(path, reason):
            return "cannot open the history file \(path): \(reason)"
        case let .cannotWriteLog(path, reason):
            return "cannot write the run's log file \(path): \(reason); check the disk space and permissions "
                + "of that directory (the run goes on; its output is no longer recorded)"
        case let .logFileDamaged(path, offset, reason):
            return "the run's log file \(path) is damaged at byte \(offset) (\(reason)); the lines before it were "
                + "printed, the rest of this attempt's output cannot be read. The run's states are intact: "
                + "`metajob history show` still works. Keep a copy of the file if you want to look at it"
        case let .logsDirectoryUnusable(path, reason):
            return "the history's logs directory \(path) cannot be used: \(reason). Make it a writable directory "
                + "(or remove it: metajob creates it), give another history file with --history PATH, or run with --no-history"
        case let .resumeLocked(run, holder, pid, host):
            return "run \(run) is being resumed now by run \(holder) (pid \(pid) on \(host)); only one resume of a run "
                + "may go at a time. Wait for \(holder) to end, or stop it; then resume \(holder) for what is left"
        case let .alreadyResumed(run, by, state):
            return "run \(run) was already resumed by run \(by) (\(state.rawValue)). Resume the newer run instead: "
                + "`metajob resume \(by)`; or pass --force to resume \(run) anyway (jobs that succeeded in any run of "
                + "the chain are still reused, never rerun)"
        case let .logFileMissing(path, reason):
            return "cannot read the run's log file \(path): \(reason); it belongs beside the history file "
                + "(was it moved or deleted?) — `metajob history prune` cleans up runs whose logs are gone"
        }
    }
}
