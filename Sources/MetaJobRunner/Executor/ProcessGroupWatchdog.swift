import CMetajobSys
#if canImport(Glibc)
import Glibc
#endif

/// Keeps local jobs from outliving metajob (`kill -9`, a crash, a kill of its whole process group): a small
/// forked process in a session of its own that, when metajob's end of their socket closes, sends each group
/// still listed in a table shared with it, and every process in the run's cgroup, SIGTERM (and SIGCONT) and,
/// after the grace period, SIGKILL (`cgroup.kill`), then removes the run's cgroups.
///
/// It also owns the run's cgroup v2 directory (`cgroupDirectory`) when one could be created: the local
/// executor puts each job in a cgroup below it. A watchdog process killed on its own is replaced at once by a
/// thread that watches its socket.
///
/// Registering is a store into the shared table under a lock, not a message: the watchdog sleeps for the
/// whole run instead of waking twice per job. The lock makes the type safe to share between queues.
public final class ProcessGroupWatchdog: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let table: UnsafeMutablePointer<metajob_watchdog_table>
    /// The run's cgroup v2 directory (jobs get cgroups below it), or nil when only process groups are used.
    public let cgroupDirectory: String?

    /// The watchdog process now, a child of this one (a new pid after a dead watchdog was replaced).
    public var pid: pid_t { handle.map { metajob_watchdog_pid($0) } ?? 0 }

    /// How many times a watchdog that died was replaced.
    public var restarts: Int { handle.map { Int(metajob_watchdog_restarts($0)) } ?? 0 }

    /// Forks the watchdog. `graceSeconds` is what it waits between SIGTERM and SIGKILL once metajob is
    /// gone; `capacity` bounds how many groups it tracks at once (it cannot allocate after the fork).
    /// `cgroups` false (or no usable cgroup v2) leaves containment to process groups and sessions.
    public init(graceSeconds: Double, capacity: Int = 1 << 16, cgroups: Bool = true) throws(WatchdogError) {
        let graceMs = Int(max(0, min(graceSeconds, 86_400)) * 1000)
        // The watchdog starts before the cgroup exists, knowing its path: a kill -9 at any moment of the start
        // leaves no cgroup behind (the directory is claimed in the shared table before its mkdir).
        let directory = cgroups ? RunCgroup.candidatePath() : nil
        var error: Int32 = 0
        guard let started = metajob_watchdog_start(Int32(capacity), graceMs, directory, &error) else {
            throw WatchdogError(code: error)
        }
        handle = started
        table = metajob_watchdog_shared_table(started)
        if let directory {
            metajob_watchdog_claim_cgroup(table, 1)
            if RunCgroup.create(directory) {
                cgroupDirectory = directory
            } else {
                metajob_watchdog_claim_cgroup(table, 0)
                cgroupDirectory = nil
            }
        } else {
            cgroupDirectory = nil
        }
    }

    deinit {
        close()
    }

    /// Tracks a job's process group until `unregister`; call it right after the spawn.
    public func register(group: pid_t) {
        guard handle != nil else { return }
        _ = metajob_watchdog_register(table, group)
    }

    /// Stops tracking a group; call it before reaping its leader, while its pgid cannot be reused.
    public func unregister(group: pid_t) {
        guard handle != nil else { return }
        metajob_watchdog_unregister(table, group)
    }

    /// Reserves a slot for a job about to be spawned; the spawned child stores its group there before it
    /// execs (`slotPointer`), so no job runs unregistered. Nil when the table is full or the watchdog closed.
    func reserveSlot() -> Int32? {
        guard handle != nil else { return nil }
        let index = metajob_watchdog_reserve(table)
        return index >= 0 ? index : nil
    }

    /// Where the child stores its group for slot `index`.
    func slotPointer(_ index: Int32) -> UnsafeMutablePointer<Int32> {
        metajob_watchdog_slot(table, index)
    }

    /// Frees slot `index`; call it before reaping the job's leader (or after a failed spawn).
    func releaseSlot(_ index: Int32) {
        guard handle != nil else { return }
        metajob_watchdog_release(table, index)
    }

    /// The number of a new job cgroup below `cgroupDirectory` (the watchdog removes them all at the end).
    func nextCgroupNumber() -> Int32 {
        metajob_watchdog_next_cgroup(table)
    }

    /// Ends the watchdog (it stops whatever is still registered, normally nothing, and removes the run's
    /// cgroups) and reaps it.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        metajob_watchdog_stop(handle)
    }
}
