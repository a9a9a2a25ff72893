import CMetajobSys
import Dispatch
import Foundation
import MetaJobCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs attempts as local processes, each the leader of its own process group with no controlling terminal (and, when the
/// watchdog has a cgroup v2 for the run, in a cgroup of its own), reporting their output line by line and
/// their exit, with no polling and no thread per job. Nothing an attempt started outlives it: when it ends,
/// its group and its cgroup are killed.
///
/// Confined to the runner's serial queue: `start` and `terminate` are called on it, and every event is
/// delivered on it, never synchronously from inside `start` or `terminate`. That is why the class is
/// `@unchecked Sendable`: the queue, not the type system, serialises every access to its state.
public final class LocalExecutor: JobExecutor, @unchecked Sendable {
    // One read of a pipe is at most this much, so one busy job cannot hold the queue for long.
    private static let readSize = 1 << 20
    // A pipe that fills a read of its default capacity (64 KiB) is grown to this, so a chatty job hands over
    // its output in fewer, larger reads (fewer wake-ups, fewer events); quiet jobs keep the default.
    private static let grownPipeSize: Int32 = 1 << 20
    // Cap on each final drain at exit: a pipe holds far less, unless something outside the job's
    // group keeps writing into it, which must not keep the queue busy forever.
    private static let drainLimit = 4 << 20

    private let queue: DispatchQueue
    private let onEvent: (ExecutorEvent) -> Void
    private let environment: SpawnEnvironment
    /// Kills the jobs' groups if metajob dies without stopping them; nil leaves that to the caller.
    private let watchdog: ProcessGroupWatchdog?
    /// Each attempt's cgroup comes from here; nil when there is no usable cgroup v2 (process groups only).
    private var cgroups: JobCgroupPool?
    private var attempts: [AttemptKey: LocalAttempt] = [:]
    /// Programs found on PATH, like a shell's hash table: a 10,000-job run of `true` otherwise walks PATH
    /// (nine directories here) for every job. A hit is checked with one `access` and looked up again if gone.
    private var foundPrograms: [String: String] = [:]
    /// What each readiness token stands for; a token not found here belongs to a watch already removed.
    private var watches: [UInt64: (attempt: LocalAttempt, what: Watch)] = [:]
    private var nextToken: UInt64 = 1
    /// Events that must not be delivered from inside `start`/`terminate`, in order.
    private var deferred: [ExecutorEvent] = []
    private var delivering = false
    private var flushScheduled = false
    private var loop: ReadinessLoop!

    /// What a readiness token watches.
    private enum Watch { case output(LogStream), exit }
    // Shared by every read: all reads happen on the queue, one at a time.
    private let readBuffer: UnsafeMutableRawBufferPointer
    /// Spawn attributes and recent file actions, built once instead of per job; nil when out of memory.
    private let spawner: OpaquePointer?
    // False forces the fallback used when pidfd_open is unavailable, so tests can exercise it.
    var usesPidfd = true

    /// An executor spawning jobs with `baseEnvironment` plus each request's variables, reporting on `queue`.
    public init(queue: DispatchQueue, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                watchdog: ProcessGroupWatchdog? = nil, onEvent: @escaping (ExecutorEvent) -> Void) {
        self.queue = queue
        self.watchdog = watchdog
        self.onEvent = onEvent
        environment = SpawnEnvironment(base: baseEnvironment)
        readBuffer = .allocate(byteCount: LocalExecutor.readSize, alignment: 16)
        spawner = metajob_spawner_create()
        if let watchdog, let directory = watchdog.cgroupDirectory {
            // One throwaway child proves that jobs can join (delegation rules); else process groups only.
            let pool = JobCgroupPool(directory: directory, watchdog: watchdog)
            if let first = pool.take() {
                if metajob_cgroup_probe(first.procsFD) == 0 { cgroups = pool }
                pool.giveBack(first)
            }
        }
        loop = ReadinessLoop(queue: queue) { [weak self] batch in self?.ready(batch) }
    }

    deinit {
        loop?.stop()
        readBuffer.deallocate()
        metajob_spawner_destroy(spawner)
    }

    /// `program`'s path on the job's PATH (see `SpawnEnvironment.resolve`), remembered per program, PATH and
    /// working directory.
    private func findProgram(_ program: String, _ request: LaunchRequest) -> String? {
        if program.utf8.contains(UInt8(ascii: "/")) { return program }
        let key = program + "\u{0}" + (request.environment["PATH"] ?? "") + "\u{0}" + request.workingDirectory
        if let known = foundPrograms[key], access(known, X_OK) == 0 { return known }
        let found = environment.resolve(program: program, extra: request.environment, workingDirectory: request.workingDirectory)
        foundPrograms[key] = found
        return found
    }

    /// Spawns the attempt. Reports `.started`, its `.output`s, then `.finished`; or only `.finished`
    /// with `.spawnFailed` if the process could not be started.
    public func start(_ request: LaunchRequest) {
        dispatchPrecondition(condition: .onQueue(queue))
        let key = request.key
        guard attempts[key] == nil else {
            return report(.finished(key, .spawnFailed(message: "\(key) is already running")))
        }
        var words = request.argv
        var resolved: String?
        // A shell command that needs no shell (see DirectCommand) runs its program directly: one process
        // start instead of two. Not found on PATH: the shell runs it and says so, as it always did.
        if let direct = DirectCommand.words(ofShellArgv: words),
           let path = findProgram(direct[0], request) {
            words = direct
            resolved = path
        }
        guard let program = words.first else {
            return report(.finished(key, .spawnFailed(message: "cannot start job `\(request.jobName)`: empty command")))
        }
        guard let path = resolved ?? findProgram(program, request) else {
            return report(.finished(key, .spawnFailed(message: "cannot start `\(program)`: \(errorText(ENOENT))")))
        }

        guard let spawner else {
            return report(.finished(key, .spawnFailed(message: "cannot start `\(program)`: \(errorText(ENOMEM))")))
        }
        var child = metajob_child()
        let argc = words.count
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: argc + 1)
        for (index, argument) in words.enumerated() { argv[index] = strdup(argument) }
        argv[argc] = nil
        // Registration happens in the child, before it execs: a kill -9 of metajob at any moment leaves no
        // job the watchdog does not know.
        let slot = watchdog?.reserveSlot()
        let cgroup = cgroups?.take()
        var contain = metajob_containment(cgroup_procs_fd: cgroup?.procsFD ?? -1,
                                          watchdog_slot: slot.flatMap { watchdog?.slotPointer($0) })
        let rc = environment.withEnvironment(adding: request.environment) { envp in
            metajob_spawn_contained(spawner, path, argv, envp, request.workingDirectory, &contain, &child)
        }
        for index in 0..<argc { free(argv[index]) }
        argv.deallocate()
        guard rc == 0 else {
            if let slot { watchdog?.releaseSlot(slot) }
            if let cgroup { cgroups?.giveBack(cgroup) }
            return report(.finished(key, .spawnFailed(message: spawnFailureMessage(program: program, error: rc,
                                                                                 workingDirectory: request.workingDirectory))))
        }

        let attempt = LocalAttempt(key: key, pid: child.pid, stdoutFD: child.stdout_fd, stderrFD: child.stderr_fd,
                                   vdkSummaryPath: request.vdkSummaryPath)
        attempt.cgroup = cgroup
        attempt.watchdogSlot = slot
        attempts[key] = attempt
        attempt.stdout.token = register(attempt, .output(.stdout))
        attempt.stderr.token = register(attempt, .output(.stderr))
        let pidfd = usesPidfd ? metajob_pidfd_open(child.pid) : -ENOSYS
        if pidfd >= 0 {
            // A pidfd becomes readable when the process exits: exit detection through the same readiness
            // loop as the pipes — no SIGCHLD handler, no polling, no thread per job.
            attempt.pidfd = pidfd
            attempt.exitToken = register(attempt, .exit)
        }

        guard loop != nil else {
            report(.started(key, executionId: nil))
            return fail(attempt, "cannot watch the job's output: epoll is unavailable")
        }
        _ = loop.watch(attempt.stdout.fd, token: attempt.stdout.token)
        _ = loop.watch(attempt.stderr.fd, token: attempt.stderr.token)
        if attempt.pidfd >= 0 { _ = loop.watch(attempt.pidfd, token: attempt.exitToken) }
        // Deferred, never delivered from inside `start`; readiness for this attempt is handled only after it.
        report(.started(key, executionId: nil))
        if attempt.pidfd < 0 { waitWithoutPidfd(attempt) }
    }

    private func register(_ attempt: LocalAttempt, _ what: Watch) -> UInt64 {
        let token = nextToken
        nextToken += 1
        watches[token] = (attempt, what)
        return token
    }

    /// Readiness from the loop, on the queue.
    private func ready(_ batch: [(token: UInt64, events: UInt32)]) {
        dispatchPrecondition(condition: .onQueue(queue))
        // Events deferred by `start` go first: `.started` always precedes its attempt's output and end.
        delivering = true
        deliverDeferred()
        for (token, _) in batch {
            guard let (attempt, what) = watches[token] else { continue }
            switch what {
            case .output(let stream): readAvailable(attempt, stream)
            case .exit:
                watches[token] = nil
                handleExit(attempt)
            }
        }
        // What the runner started while handling this batch reports `.started` now, on this thread,
        // instead of waking another one for it.
        deliverDeferred()
        delivering = false
    }

    /// Delivers the deferred events, including those deferred while delivering.
    private func deliverDeferred() {
        while !deferred.isEmpty {
            let events = deferred
            deferred.removeAll(keepingCapacity: true)
            for event in events { onEvent(event) }
        }
    }

    /// Gives up on an attempt we cannot watch: kill its group, reap it, report a platform error.
    private func fail(_ attempt: LocalAttempt, _ message: String) {
        kill(-attempt.pid, SIGKILL)
        endContainment(attempt)
        attempt.exited = true
        closePipe(attempt, .stdout)
        closePipe(attempt, .stderr)
        var status: Int32 = 0
        releaseWatchdogSlot(attempt)
        _ = metajob_reap(attempt.pid, &status)
        if attempt.pidfd >= 0 { close(attempt.pidfd) }
        attempts[attempt.key] = nil
        report(.finished(attempt.key, .status(.platformError, exitCode: nil, reason: message)))
    }

    /// SIGTERM to the attempt's process group, SIGKILL after `graceSeconds` if the job has not exited
    /// (at once if `graceSeconds` is 0). The attempt still reports `.finished`. No-op for an unknown or
    /// finished attempt.
    public func terminate(_ key: AttemptKey, graceSeconds: Double) {
        dispatchPrecondition(condition: .onQueue(queue))
        // The pgid is safe to signal while the attempt is here: the leader is reaped only on removal, so
        // its pid (the pgid) cannot have been reused.
        guard let attempt = attempts[key], !attempt.exited else { return }
        guard graceSeconds > 0 else {
            kill(-attempt.pid, SIGKILL)
            attempt.cgroup?.killAll()
            return
        }
        // SIGTERM to the group and to whatever left it (in the job's cgroup), then SIGCONT: a stopped job
        // would otherwise keep SIGTERM pending and sit out the whole grace period.
        kill(-attempt.pid, SIGTERM)
        attempt.cgroup?.signalAll(SIGTERM)
        kill(-attempt.pid, SIGCONT)
        attempt.cgroup?.signalAll(SIGCONT)
        let deadline = DispatchTime.now() + graceSeconds
        // A repeated terminate may shorten the grace period, never lengthen it.
        if let existing = attempt.killDeadline, existing <= deadline { return }
        attempt.killTimer?.cancel()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: deadline)
        timer.setEventHandler { [self] in
            guard !attempt.exited, attempts[attempt.key] === attempt else { return }
            kill(-attempt.pid, SIGKILL)
            attempt.cgroup?.killAll()
        }
        attempt.killTimer = timer
        attempt.killDeadline = deadline
        timer.resume()
    }

    // MARK: - Output

    private func readAvailable(_ attempt: LocalAttempt, _ stream: LogStream) {
        guard !attempt.exited else { return }
        var lines = LogLines()
        let count = stream == .stdout ? readChunk(&attempt.stdout, into: &lines) : readChunk(&attempt.stderr, into: &lines)
        if !lines.isEmpty { onEvent(.output(attempt.key, stream, lines)) }
        if count == 0 {
            closePipe(attempt, stream)
            // Both pipes at EOF usually means the job has exited: when it is already waiting to be reaped, end
            // it now instead of waking up once more for its pidfd (a short job's exit otherwise costs up to
            // three wake-ups: two EOFs and the pidfd).
            if !attempt.stdout.open, !attempt.stderr.open, attempt.pidfd >= 0, metajob_has_exited(attempt.pid) == 1 {
                watches[attempt.exitToken] = nil
                handleExit(attempt)
            }
        } else {
            // One-shot watch: armed again only now that this read is handled, so a chatty job is paced
            // by its pipe instead of filling our memory.
            let pipe = stream == .stdout ? attempt.stdout : attempt.stderr
            loop.rearm(pipe.fd, token: pipe.token)
        }
    }

    /// Reads once from the pipe, feeding its splitter. Returns the byte count, 0 at EOF (or a read
    /// error, which ends the stream the same way), -1 when nothing is available now.
    private func readChunk(_ pipe: inout LocalAttempt.Pipe, into lines: inout LogLines) -> Int {
        guard pipe.open else { return 0 }
        while true {
            let count = read(pipe.fd, readBuffer.baseAddress, readBuffer.count)
            if count > 0 {
                lines = pipe.splitter.feedLines(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                if count >= 64 * 1024 && !pipe.grown {
                    // Failure (a lower system limit) just keeps the default size.
                    pipe.grown = true
                    _ = metajob_set_pipe_size(pipe.fd, LocalExecutor.grownPipeSize)
                }
                return count
            }
            if count == 0 { return 0 }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return -1
            default: return 0
            }
        }
    }

    /// Reads whatever the pipe holds now (up to `drainLimit`), reporting the complete lines.
    private func drain(_ attempt: LocalAttempt, _ stream: LogStream) {
        var lines = LogLines()
        var total = 0
        var atEnd = false
        while total < LocalExecutor.drainLimit {
            let count = stream == .stdout ? readChunk(&attempt.stdout, into: &lines) : readChunk(&attempt.stderr, into: &lines)
            if count <= 0 {
                atEnd = count == 0
                break
            }
            total += count
            // Report as we go, so a drain never holds more than one read's worth of lines.
            if !lines.isEmpty {
                onEvent(.output(attempt.key, stream, lines))
                lines = LogLines()
            }
        }
        if atEnd { closePipe(attempt, stream) }
    }

    private func closePipe(_ attempt: LocalAttempt, _ stream: LogStream) {
        let pipe = stream == .stdout ? attempt.stdout : attempt.stderr
        guard pipe.open else { return }
        // No EPOLL_CTL_DEL: closing our only descriptor of the pipe removes it from the epoll set (should a
        // child being spawned still hold a copy for a moment, the stale watch's token is gone from `watches`,
        // so its event is ignored).
        watches[pipe.token] = nil
        close(pipe.fd)
        if stream == .stdout { attempt.stdout.open = false } else { attempt.stderr.open = false }
    }

    // MARK: - Exit

    private func handleExit(_ attempt: LocalAttempt) {
        guard !attempt.exited else { return }
        attempt.exited = true
        attempt.killTimer?.cancel()
        attempt.killTimer = nil

        drain(attempt, .stdout)
        drain(attempt, .stderr)
        // Kill whatever the job left running in its group before reaping the leader: nothing keeps
        // running untracked, and until the reap the pgid cannot be reused by an unrelated process.
        // ESRCH (the group is already empty) is the normal case and needs nothing. The cgroup catches what
        // left the group (setsid, setpgid, a double fork).
        kill(-attempt.pid, SIGKILL)
        endContainment(attempt)
        // What the group wrote between the first drain and the kill.
        drain(attempt, .stdout)
        drain(attempt, .stderr)
        closePipe(attempt, .stdout)
        closePipe(attempt, .stderr)
        if let last = attempt.stdout.splitter.finish() { onEvent(.output(attempt.key, .stdout, LogLines(unterminatedLine: last))) }
        if let last = attempt.stderr.splitter.finish() { onEvent(.output(attempt.key, .stderr, LogLines(unterminatedLine: last))) }

        reap(attempt)
    }

    /// Reaps the leader and reports the attempt's outcome; every fd of the attempt is closed by then.
    private func reap(_ attempt: LocalAttempt) {
        // The pidfd goes first, which also takes it out of the epoll set: reaping makes a pidfd readable, and a
        // watch still armed (the exit was seen through the pipes) would wake the loop for nothing.
        if attempt.pidfd >= 0 {
            close(attempt.pidfd)
            attempt.pidfd = -1
        }
        var status: Int32 = 0
        releaseWatchdogSlot(attempt)
        let rc = metajob_reap(attempt.pid, &status)
        var outcome: AttemptOutcome
        if rc != 0 {
            outcome = .status(.platformError, exitCode: nil,
                              reason: "lost track of process \(attempt.pid): \(errorText(rc))")
        } else {
            var code: Int32 = 0
            switch metajob_decode_status(status, &code) {
            case 1: outcome = .exited(code: code)
            case 2: outcome = .signaled(signal: code)
            default: outcome = .status(.platformError, exitCode: nil, reason: "unexpected wait status \(status)")
            }
            if let path = attempt.vdkSummaryPath {
                outcome = VDKRunSummary.outcome(summaryPath: path, ended: outcome)
            }
        }
        attempts[attempt.key] = nil
        onEvent(.finished(attempt.key, outcome))
    }

    /// Without pidfd (kernels before 5.3): a blocking wait on another thread, which leaves the process
    /// unreaped (WNOWAIT) so that `handleExit` can kill the group before reaping, as with a pidfd.
    private func waitWithoutPidfd(_ attempt: LocalAttempt) {
        let pid = attempt.pid
        DispatchQueue.global().async { [self] in
            _ = metajob_wait_exit_nowait(pid)
            queue.async { [self] in handleExit(attempt) }
        }
    }

    // MARK: - Helpers

    /// Kills what is left in the attempt's cgroup and returns the cgroup to the pool.
    private func endContainment(_ attempt: LocalAttempt) {
        guard let cgroup = attempt.cgroup else { return }
        attempt.cgroup = nil
        cgroups?.giveBack(cgroup)
    }

    /// Frees the attempt's watchdog slot; before the leader is reaped, while its pgid cannot be reused.
    private func releaseWatchdogSlot(_ attempt: LocalAttempt) {
        guard let slot = attempt.watchdogSlot else { return }
        attempt.watchdogSlot = nil
        watchdog?.releaseSlot(slot)
    }

    // Events never go out from inside `start`/`terminate`: the caller's state must be consistent first.
    private func report(_ event: ExecutorEvent) {
        deferred.append(event)
        // Inside `ready` the batch's end delivers them; elsewhere one async block does.
        guard !delivering, !flushScheduled else { return }
        flushScheduled = true
        queue.async { [self] in
            flushScheduled = false
            delivering = true
            deliverDeferred()
            delivering = false
        }
    }

    private func spawnFailureMessage(program: String, error: Int32, workingDirectory: String) -> String {
        // posix_spawn reports a failed chdir with the same errno as a missing program: tell them apart
        // here, on the failure path only.
        var info = stat()
        if stat(workingDirectory, &info) != 0 {
            return "cannot start `\(program)`: working directory `\(workingDirectory)`: \(errorText(errno))"
        }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            return "cannot start `\(program)`: working directory `\(workingDirectory)`: \(errorText(ENOTDIR))"
        }
        return "cannot start `\(program)`: \(errorText(error))"
    }

    private func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
