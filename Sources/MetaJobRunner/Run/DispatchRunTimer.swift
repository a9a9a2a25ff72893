import Dispatch

/// A `RunTimer` over one dispatch timer source.
final class DispatchRunTimer: RunTimer, @unchecked Sendable {
    // Only touched on the source's queue (the runner's), as `RunTimer.cancel` promises.
    private let source: DispatchSourceTimer

    init(_ source: DispatchSourceTimer) {
        self.source = source
    }

    func cancel() {
        source.cancel()
    }

    // A runner freed with its timer armed must not be woken by it.
    deinit { source.cancel() }
}
