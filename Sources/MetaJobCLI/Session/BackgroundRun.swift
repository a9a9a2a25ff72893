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
    /// The write end of the leash; -1 once let go.
    private var leash: Int32

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
    /// The copy started the run before it answered.
    func start() {}

    /// The dashboard is done: the connection closes and the leash is let go, so the copy ends once its run has
    /// (or stops it, if it still goes — the dashboard only leaves a going run by detaching).
    func closeRecording() -> String? {
        client.close()
        letGo(detaching: false)
        return nil
    }

    /// Leaves the run going in the background: the copy is told first, then the connection closes.
    func detach() {
        letGo(detaching: true)
        client.close()
    }

    /// The copy records the run; a saved log can lag its recorder's buffer by about a second.
    func flushRecording() {}
    /// The copy sends the run's notifications when it ends (and records how they went in the history).
    func notify(exitCode: CLIExit) -> String { "" }

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

    private func letGo(detaching: Bool) {
        lock.lock()
        let fd = leash
        leash = -1
        lock.unlock()
        guard fd >= 0 else { return }
        if detaching {
            var byte = UInt8(ascii: "d")
            _ = write(fd, &byte, 1)
        }
        close(fd)
    }
}
