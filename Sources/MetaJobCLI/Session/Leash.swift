import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The background run's end of the socket pair held by the dashboard that started it (`BackgroundRun` holds
/// the other end). The dashboard writes `g` once it watches the run (the run starts then, so the dashboard
/// misses none of its events, as when the run was in its process), and `d` before letting go when the user detaches: the run goes on and lingers as a
/// `run --detach` does. The pipe closing without it — the dashboard quit after the run ended, or died, or its
/// terminal went away — means nobody watches the run: it is stopped, and the process ends with it. The kernel
/// closes the pipe of a dashboard killed with SIGKILL, so no run is left behind unwatched by accident. A
/// dashboard that let go waits for the run's last words on the same socket (`finish(saying:)`): what the
/// recording and the notifications have to say, then the end of the file when this process exits, so the
/// dashboard's command ends after the run's history is complete, as it did when the run was in its process.
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
    private var fd: Int32
    /// Signalled when the dashboard says go, or lets go before it did.
    private let go = DispatchSemaphore(value: 0)

    /// Starts watching descriptor `fd` (this end of the dashboard's socket pair) on a thread of its own.
    init(fd: Int32) {
        self.fd = fd
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
                if byte == UInt8(ascii: "g") { go.signal() }
                continue
            }
            // End of file (or an error, which means the same: the other end is gone). The descriptor stays
            // open for the last words.
            lock.lock()
            let detached = if case .detached = current { true } else { false }
            if !detached { current = .released }
            let body = detached ? nil : onRelease
            onRelease = nil
            lock.unlock()
            body?()
            go.signal()
            return
        }
    }

    /// Waits until the dashboard watches the run (or is gone: then the run is stopped as soon as it starts).
    func waitForGo() {
        go.wait()
    }

    /// Sends `parts` (NUL-separated) to a dashboard that let go and waits for them, then closes this end. A
    /// detached dashboard is gone: nothing is sent.
    func finish(saying parts: [String]) {
        lock.lock()
        let fd = self.fd
        self.fd = -1
        let detached = if case .detached = current { true } else { false }
        lock.unlock()
        guard fd >= 0 else { return }
        if !detached {
            let bytes = Array(parts.joined(separator: "\u{0}").utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                offset += n
            }
        }
        close(fd)
    }

    private func set(_ state: State) {
        lock.lock()
        current = state
        lock.unlock()
    }
}
