import CMetajobSys
#if canImport(Glibc)
import Glibc
#endif

/// One job cgroup below the run's cgroup, with its control files kept open: a job joins it before it execs,
/// and when the attempt ends whatever is still inside (a daemon that called setsid, a double fork) is
/// killed with `cgroup.kill`. Reused by later attempts once empty. Confined to the executor's queue.
final class JobCgroup {
    let path: String
    /// `cgroup.procs`, write-only: the spawned child writes "0" to join.
    let procsFD: Int32
    /// `cgroup.events`, read for "populated".
    private let eventsFD: Int32
    /// `cgroup.kill`.
    private let killFD: Int32

    init?(path: String) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return nil }
        procsFD = open(path + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
        eventsFD = open(path + "/cgroup.events", O_RDONLY | O_CLOEXEC)
        killFD = open(path + "/cgroup.kill", O_WRONLY | O_CLOEXEC)
        self.path = path
        guard procsFD >= 0, eventsFD >= 0, killFD >= 0 else {
            closeFiles()
            rmdir(path)
            return nil
        }
    }

    deinit { closeFiles() }

    private func closeFiles() {
        for fd in [procsFD, eventsFD, killFD] where fd >= 0 { close(fd) }
    }

    /// True while a live process is inside (an unreaped zombie does not count).
    var isPopulated: Bool { metajob_cgroup_populated(eventsFD) != 0 }

    /// SIGKILL to everything inside, including what left the job's session or process group.
    func killAll() {
        _ = metajob_cgroup_kill(killFD)
    }

    /// Sends `sig` to every process inside (what SIGTERM cannot reach through the job's process group).
    func signalAll(_ sig: Int32) {
        let fd = open(path + "/cgroup.procs", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = metajob_cgroup_signal(fd, sig)
        close(fd)
    }
}
