import Dispatch
import Foundation
import MetaJobCore

/// Turns SIGINT, SIGTERM, SIGHUP and SIGQUIT into the run's stop command (or a session's handler): the first
/// stops gracefully, the second at once. A hang-up (the terminal closed) or Ctrl-\ stops the run as SIGTERM
/// does, recorded, instead of killing metajob by the default action (or a crash report for SIGQUIT).
final class SignalForwarder: @unchecked Sendable {
    /// The signals that stop a run.
    static let stopping: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "metajob.signals")
    private var count = 0
    private let lock = NSLock()
    private var first: Int32 = 0

    /// The first signal received (0 when none).
    var received: Int32 { lock.lock(); defer { lock.unlock() }; return first }

    /// A closed stdout or stderr (`metajob run … | head -1`) must end writes, not the run: write(2) then fails
    /// with EPIPE, which the writers treat as "stop printing". Jobs still start with SIGPIPE at its default.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    convenience init(connection: RunConnection) {
        self.init { _, immediate in connection.stop(immediate: immediate) }
    }

    /// Calls `handler` (on a private queue) for each stopping signal; `immediate` is true from the second on.
    init(handler: @escaping @Sendable (_ signal: Int32, _ immediate: Bool) -> Void) {
        for sig in Self.stopping {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                self.count += 1
                if self.first == 0 { self.first = sig }
                let immediate = self.count > 1
                self.lock.unlock()
                handler(sig, immediate)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
