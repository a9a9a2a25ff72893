import CMetajobSys
#if canImport(Glibc)
import Glibc
#endif

/// The job cgroups of one executor: an attempt takes an empty one and gives it back when it ends. A cgroup
/// is made once and reused, so a run needs about as many as jobs run at once, and a job's start costs one
/// read of `cgroup.events` instead of a mkdir and an rmdir. Confined to the executor's queue.
final class JobCgroupPool {
    private let directory: String
    private let watchdog: ProcessGroupWatchdog
    /// Given back by ended attempts, oldest first: reused once `cgroup.kill` has emptied them.
    private var returned: [JobCgroup] = []

    init(directory: String, watchdog: ProcessGroupWatchdog) {
        self.directory = directory
        self.watchdog = watchdog
    }

    /// An empty cgroup for a new attempt, or nil when none can be made (the job then runs without one).
    func take() -> JobCgroup? {
        if let index = returned.firstIndex(where: { !$0.isPopulated }) {
            return returned.remove(at: index)
        }
        let number = watchdog.nextCgroupNumber()
        return JobCgroup(path: directory + "/\(number)")
    }

    /// Takes back an ended attempt's cgroup after killing whatever is still inside.
    func giveBack(_ cgroup: JobCgroup) {
        if cgroup.isPopulated { cgroup.killAll() }
        returned.append(cgroup)
    }
}
