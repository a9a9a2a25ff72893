import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The background run's end of the pipe held by the dashboard that started it (`BackgroundRun` holds the other
/// end). The dashboard writes `d` before letting go when the user detaches: the run goes on and lingers as a
/// `run --detach` does. The pipe closing without it — the dashboard quit after the run ended, or died, or its
/// terminal went away — means nobody watches the run: it is stopped, and the process ends with it. The kernel
/// closes the pipe of a dashboard killed with SIGKILL, so no run is left behind unwatched by accident.
final class Leash: @unchecked Sendable {
    /// Who holds the run.
    enum State: Equatable {
        /// Its dashboard.
        case held
        /// Nobody: the dashboard detached at this wall time.
        case detached(at: Date)
        /// Nobody: the dashboard let go without detaching.
        case released
    }

    private let lock = NSLock()
    private var current = State.held
    private var onRelease: (@Sendable () -> Void)?

    /// Starts watching descriptor `fd` (the read end of the dashboard's pipe) on a thread of its own.
    init(fd: Int32) {
        let thread = Thread { [self] in watch(fd) }
        thread.name = "metajob-leash"
        thread.start()
    }

    /// Who holds the run now.
    var state: State {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Calls `body` once when the dashboard lets go without detaching (at once if it already has).
    func whenReleased(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        let released = current == .released
        if !released { onRelease = body }
        lock.unlock()
        if released { body() }
    }

    private func watch(_ fd: Int32) {
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n == 1 {
                if byte == UInt8(ascii: "d") { set(.detached(at: Date())) }
                continue
            }
            // End of file (or an error, which means the same: the other end is gone).
            close(fd)
            lock.lock()
            let detached = if case .detached = current { true } else { false }
            if !detached { current = .released }
            let body = detached ? nil : onRelease
            onRelease = nil
            lock.unlock()
            body?()
            return
        }
    }

    private func set(_ state: State) {
        lock.lock()
        current = state
        lock.unlock()
    }
}
