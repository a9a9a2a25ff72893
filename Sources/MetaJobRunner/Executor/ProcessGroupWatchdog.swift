import CMetajobSys
#if canImport(Glibc)
import Glibc
#endif

/// Kills the process groups of local jobs when metajob dies without stopping them (`kill -9`, a crash):
/// a small forked process that holds the list of live groups and, when metajob's end of their socket
/// closes, sends each SIGTERM and, after the grace period, SIGKILL.
///
/// All calls come from the runner's queue (the executor registers groups there); the socket carries
/// 4-byte records, which the kernel never splits, so the type is safe to share.
public final class ProcessGroupWatchdog: @unchecked Sendable {
    private var fd: Int32
    /// The watchdog process, a child of this one.
    public let pid: pid_t

    /// Forks the watchdog. `graceSeconds` is what it waits between SIGTERM and SIGKILL once metajob is
    /// gone; `capacity` bounds how many groups it tracks at once (it cannot allocate after the fork).
    public init(graceSeconds: Double, capacity: Int = 1 << 16) throws(WatchdogError) {
        var child: pid_t = 0
        let graceMs = Int(max(0, min(graceSeconds, 86_400)) * 1000)
        let rc = metajob_watchdog_start(Int32(capacity), graceMs, &child)
        guard rc >= 0 else { throw WatchdogError(code: -rc) }
        fd = rc
        pid = child
    }

    deinit { close() }

    /// Tracks a job's process group until `unregister`; call it right after the spawn.
    public func register(group: pid_t) {
        guard fd >= 0 else { return }
        _ = metajob_watchdog_send(fd, group)
    }

    /// Stops tracking a group; call it before reaping its leader, while its pgid cannot be reused.
    public func unregister(group: pid_t) {
        guard fd >= 0 else { return }
        _ = metajob_watchdog_send(fd, -group)
    }

    /// Ends the watchdog (it stops whatever is still registered, normally nothing) and reaps it.
    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
