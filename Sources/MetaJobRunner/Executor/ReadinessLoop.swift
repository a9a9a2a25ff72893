import CMetajobSys
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thread waiting in epoll for the executor's pipes and pidfds, handing readiness to the runner's queue.
///
/// Why not Dispatch read sources: libdispatch's epoll backend can touch a freed muxnote when a hang-up
/// (every pipe's EOF, a reaped process's pidfd) is merged on its manager thread while the source is being
/// cancelled on another — seen here as a crash in `_dispatch_event_loop_drain` in about 3 % of runs. This
/// loop keeps no state of its own: every watch is one-shot and carries a token; all bookkeeping (which
/// token means what, re-arming, removing, closing) happens on the runner's queue, so an event for a watch
/// that was removed meanwhile is simply not found there and ignored.
final class ReadinessLoop: @unchecked Sendable {
    private let epfd: Int32
    private let wakeFD: Int32
    private let queue: DispatchQueue
    private let deliver: @Sendable ([(token: UInt64, events: UInt32)]) -> Void
    private let thread: Thread
    private static let wakeToken: UInt64 = 0

    /// A loop delivering batches of (token, events) to `deliver` on `queue`. Tokens must not be 0.
    init?(queue: DispatchQueue, deliver: @escaping @Sendable ([(token: UInt64, events: UInt32)]) -> Void) {
        let epfd = metajob_epoll_create()
        guard epfd >= 0 else { return nil }
        let wakeFD = metajob_eventfd()
        guard wakeFD >= 0, metajob_epoll_add(epfd, wakeFD, ReadinessLoop.wakeToken) == 0 else {
            close(epfd)
            if wakeFD >= 0 { close(wakeFD) }
            return nil
        }
        self.epfd = epfd
        self.wakeFD = wakeFD
        self.queue = queue
        self.deliver = deliver
        // The thread owns nothing but the two fds; it ends when `stop` wakes it.
        thread = Thread { [epfd, wakeFD, queue, deliver] in
            ReadinessLoop.run(epfd: epfd, wakeFD: wakeFD, queue: queue, deliver: deliver)
        }
        thread.name = "metajob.readiness"
        thread.start()
    }

    /// Watches `fd` for one readiness (input, EOF or hang-up) under `token`.
    func watch(_ fd: Int32, token: UInt64) -> Bool { metajob_epoll_add(epfd, fd, token) == 0 }

    /// Watches `fd` again after its readiness was handled.
    func rearm(_ fd: Int32, token: UInt64) { _ = metajob_epoll_rearm(epfd, fd, token) }

    /// Stops watching `fd`; call before closing it.
    func unwatch(_ fd: Int32) { _ = metajob_epoll_remove(epfd, fd) }

    /// Ends the thread (it closes the epoll fd and the wake fd on its way out).
    func stop() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private static func run(epfd: Int32, wakeFD: Int32, queue: DispatchQueue,
                            deliver: @escaping @Sendable ([(token: UInt64, events: UInt32)]) -> Void) {
        // Jobs are mostly spawned on this thread, which makes it their parent: the kernel drops a child's SIGCHLD
        // (default action: ignore) at once only if the parent thread does not block it. Blocked here, it would be
        // queued for the process and wake the main thread from its wait, once per job.
        metajob_unblock_sigchld()
        var tokens = [UInt64](repeating: 0, count: 64)
        var events = [UInt32](repeating: 0, count: 64)
        while true {
            let n = metajob_epoll_wait(epfd, &tokens, &events, 64, -1)
            if n < 0 { break }
            if n == 0 { continue }
            var batch: [(token: UInt64, events: UInt32)] = []
            batch.reserveCapacity(Int(n))
            var stopping = false
            for i in 0..<Int(n) {
                if tokens[i] == wakeToken { stopping = true } else { batch.append((tokens[i], events[i])) }
            }
            // sync, not async: on an idle queue Dispatch runs the block right here, on this thread, so a
            // job's end reaches the scheduler (and its dependents start) without waking another thread.
            if !batch.isEmpty { queue.sync { deliver(batch) } }
            if stopping { break }
        }
        close(epfd)
        close(wakeFD)
    }
}
