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
        /// The readiness loop's token for this pipe.
        var token: UInt64 = 0
        /// False once the pipe is closed (EOF, error, or the attempt ended).
        var open = true
        /// True once the pipe's capacity was raised for a chatty job.
        var grown = false
    }

    let key: AttemptKey
    /// The job's pid, which is also its process group id.
    let pid: pid_t
    let vdkSummaryPath: String?
    var stdout: Pipe
    var stderr: Pipe
    /// Readable when the process exits; -1 when pidfd_open is unavailable (the fallback waits instead).
    var pidfd: Int32 = -1
    /// The readiness loop's token for the pidfd.
    var exitToken: UInt64 = 0
    /// SIGKILLs the group when a terminate's grace period ends.
    var killTimer: DispatchSourceTimer?
    var killDeadline: DispatchTime?
    /// Set once the leader has exited and the attempt is being wound down.
    var exited = false
    /// The job's cgroup while the attempt holds it (nil without cgroup containment).
    var cgroup: JobCgroup?
    /// The watchdog's slot holding this job's group (nil without a watchdog).
    var watchdogSlot: Int32?

    init(key: AttemptKey, pid: pid_t, stdoutFD: Int32, stderrFD: Int32, vdkSummaryPath: String?) {
        self.key = key
        self.pid = pid
        self.vdkSummaryPath = vdkSummaryPath
        stdout = Pipe(stream: .stdout, fd: stdoutFD)
        stderr = Pipe(stream: .stderr, fd: stderrFD)
    }
}
