import CMetajobSys
#if canImport(Glibc)
import Glibc
#endif

/// Kills the process groups of local jobs when metajob dies without stopping them (`kill -9`, a crash):
/// a small forked process that, when metajob's end of their socket closes, sends each group still listed
/// in a table shared with it SIGTERM and, after the grace period, SIGKILL.
///
/// Registering is a store into that shared table under a lock, not a message: the watchdog sleeps for the
/// whole run instead of waking twice per job. The lock makes the type safe to share between queues.
public final class ProcessGroupWatchdog: @unchecked Sendable {
    private var fd: Int32
    private let table: UnsafeMutablePointer<metajob_watchdog_table>
    /// The watchdog process, a child of this one.
    public let pid: pid_t

    /// Forks the watchdog. `graceSeconds` is what it waits between SIGTERM and SIGKILL once metajob is
    /// gone; `capacity` bounds how many groups it tracks at once (it cannot allocate after the fork).
    public init(graceSeconds: Double, capacity: Int = 1 << 16) throws(WatchdogError) {
        var child: pid_t = 0
        var shared: UnsafeMutablePointer<metajob_watchdog_table>?
        let graceMs = Int(max(0, min(graceSeconds, 86_400)) * 1000)
        let rc = metajob_watchdog_start(Int32(capacity), graceMs, &child, &shared)
        guard rc >= 0, let shared else { throw WatchdogError(code: -rc) }
        fd = rc
        table = shared
        pid = child
    }

    deinit {
        close()
        metajob_watchdog_table_free(table)
    }

    /// Tracks a job's process group until `unregister`; call it right after the spawn.
    public func register(group: pid_t) {
        guard fd >= 0 else { return }
        _ = metajob_watchdog_register(table, group)
    }

    /// Stops tracking a group; call it before reaping its leader, while its pgid cannot be reused.
    public func unregister(group: pid_t) {
        guard fd >= 0 else { return }
        metajob_watchdog_unregister(table, group)
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
