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
        case let .logFileMissing(path, reason):
            return "cannot read the run's log file \(path): \(reason); it belongs beside the history file "
                + "(was it moved or deleted?) — `metajob history prune` cleans up runs whose logs are gone"
        }
    }
}
