import Foundation
import MetaJobCore
import MetaJobRunner
#if canImport(Glibc)
import Glibc
#endif

/// A run this terminal's dashboard started in a background copy of metajob (its own session, so closing the
/// terminal never reaches the jobs), shown through that copy's control socket. It behaves as a run started here
/// — quitting asks, stops or drains, the exit code is the run's — and also offers detach: the dashboard leaves
/// and the run goes on. The leash (a pipe whose other end is the copy's `Leash`) tells the copy which.
final class BackgroundRun: ShownRun, @unchecked Sendable {
    private let client: ControlClient
    private let startedAt: Date
    private let lock = NSLock()
    /// The dashboard's end of the leash; -1 once let go.
    private var leash: Int32
    /// What the copy said of its notifications, once it ended.
    private var notified = ""

    /// The run `client` is connected to, held by `leash`; `said`: what the copy printed before it started.
    init(client: ControlClient, leash: Int32, said: String, startedAt: Date) {
        self.client = client
        self.leash = leash
        self.startedAt = startedAt
        warnings = said.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    deinit { letGo(detaching: false) }

    var connection: RunConnection { client }
    var runId: String { client.runId }
    /// Started here: quitting stops or drains it unless the user detaches.
    var isAttached: Bool { false }
    var canDetach: Bool { true }
    let warnings: [String]
    /// Tells the copy to start the run, once the dashboard is subscribed (it misses no event).
    func start() {
        lock.lock()
        defer { lock.unlock() }
        guard leash >= 0 else { return }
        var byte = UInt8(ascii: "g")
        _ = send(leash, &byte, 1, Int32(MSG_NOSIGNAL))
    }

    /// The dashboard is done: the connection closes and the leash is let go, so the copy ends once its run has
    /// (or stops it, if it still goes — the dashboard only leaves a going run by detaching). Waits for the
    /// copy's last words, so the history is complete and the notifications sent when this returns; returns
    /// what the recording had to say.
    func closeRecording() -> String? {
        client.close()
        guard let fd = takeLeash() else { return nil }
        shutdown(fd, Int32(SHUT_WR))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded: a copy that hangs (a hook past any timeout) does not hold the terminal's prompt forever.
        let deadline = Date().addingTimeInterval(Self.lastWordsTimeout)
        while deadline.timeIntervalSinceNow > 0 {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(1000, max(1, deadline.timeIntervalSinceNow * 1000))))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0 ..< n]
        }
        close(fd)
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        lock.lock()
        notified = parts.count > 1 ? parts[1] : ""
        lock.unlock()
        return parts.first.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// How long the dashboard waits for its background copy to record the run's end and send its notifications.
    static let lastWordsTimeout = 120.0

    /// Leaves the run going in the background: the copy is told first, then the connection closes.
    func detach() {
        letGo(detaching: true)
        client.close()
    }

    /// The copy records the run: it is asked to write what it buffers, and answers once it has.
    func flushRecording() {
        _ = client.syncHistory()
    }
    /// The copy sends the run's notifications when it ends; this is what it said of them (see `closeRecording`).
    func notify(exitCode: CLIExit) -> String {
        lock.lock()
        defer { lock.unlock() }
        return notified
    }

    func finalSnapshot() -> RunSnapshot { client.currentSnapshot }
    var elapsed: Double { max(0, Date().timeIntervalSince(startedAt)) }

    /// As for a run in this process: 0 succeeded, 1 failed (also when the copy was lost before the end), and
    /// 130/143/129 when it was stopped by that signal.
    func exitCode(signal: Int32) -> CLIExit {
        switch client.currentSnapshot.phase {
        case .finished(.succeeded): return .succeeded
        case .finished(.cancelled): return .stopped(by: signal)
        case .finished(.failed), .notStarted, .running: return .failed
        }
    }

    /// The leash's descriptor, once: whoever takes it lets go of it.
    private func takeLeash() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        let fd = leash
        leash = -1
        return fd >= 0 ? fd : nil
    }

    private func letGo(detaching: Bool) {
        guard let fd = takeLeash() else { return }
        if detaching {
            var byte = UInt8(ascii: "d")
            _ = send(fd, &byte, 1, Int32(MSG_NOSIGNAL))
        }
        close(fd)
    }
}
