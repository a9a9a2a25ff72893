import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import MetaJobCore

/// The bookkeeping of one running local attempt. Owned by `LocalExecutor` and, like it, confined to the
/// runner's queue (hence `@unchecked Sendable`: the queue, not the type system, serialises access).
final class LocalAttempt: @unchecked Sendable {
    /// One output pipe of the attempt.
    struct Pipe {
        let stream: LogStream
        let fd: Int32
        var splitter = LineSplitter()
        var source: DispatchSourceRead?
        /// False once the source is cancelled (EOF, error, or the attempt ended): the fd may be closed.
        var open = true
    }

    let key: AttemptKey
    /// The job's pid, which is also its process group id.
    let pid: pid_t
    let vdkSummaryPath: String?
    var stdout: Pipe
    var stderr: Pipe
    /// Readable when the process exits; nil when pidfd_open is unavailable (the fallback waits instead).
    var exitSource: DispatchSourceRead?
    /// SIGKILLs the group when a terminate's grace period ends.
    var killTimer: DispatchSourceTimer?
    var killDeadline: DispatchTime?
    /// Set once the leader has exited and the attempt is being wound down.
    var exited = false
    /// Cancel handlers still to run: they close the fds, and `.finished` waits for them so that a caller
    /// seeing `.finished` sees every fd of the attempt closed.
    var pendingCancels = 0
    /// The outcome, held until the last cancel handler has run.
    var outcome: AttemptOutcome?

    init(key: AttemptKey, pid: pid_t, stdoutFD: Int32, stderrFD: Int32, vdkSummaryPath: String?) {
        self.key = key
        self.pid = pid
        self.vdkSummaryPath = vdkSummaryPath
        stdout = Pipe(stream: .stdout, fd: stdoutFD)
        stderr = Pipe(stream: .stderr, fd: stderrFD)
    }
}
