import Dispatch
import Foundation
import MetaJobRunner

/// Turns SIGINT and SIGTERM into the runner's stop command: the first stops gracefully, the second at once.
final class SignalForwarder: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "metajob.signals")
    private var count = 0
    private let lock = NSLock()
    private var first: Int32 = 0

    /// The first signal received (0 when none).
    var received: Int32 { lock.lock(); defer { lock.unlock() }; return first }

    init(runner: Runner) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self, runner] in
                guard let self else { return }
                self.lock.lock()
                self.count += 1
                if self.first == 0 { self.first = sig }
                let immediate = self.count > 1
                self.lock.unlock()
                runner.send(.stop(immediate: immediate))
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
