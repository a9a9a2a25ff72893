import CNcursesw
import Dispatch
import Foundation
import MetaJobScreen

/// The dashboard's terminal: the only code that calls ncurses. Draws cell buffers, reads keys and SIGWINCH.
///
/// Every ncurses call happens on `queue` (a serial queue the driver owns); the callbacks are called there too,
/// so the session that owns the app model uses the same queue and never hops.
public final class TerminalDriver: @unchecked Sendable {
    /// The UI queue: ncurses, the input sources and the callbacks all live on it.
    public let queue = DispatchQueue(label: "metajob.ui")

    /// Why the dashboard cannot open, worded for the user.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private var screen: OpaquePointer?
    private var input: UnsafeMutablePointer<FILE>?
    private var output: UnsafeMutablePointer<FILE>?
    private var palette: StylePalette?
    private var lastFrame: CellBuffer?
    private var lastTheme: String?
    private var keySource: DispatchSourceRead?
    private var resizeSource: DispatchSourceSignal?
    private var suspendSource: DispatchSourceRead?
    /// The pipe Ctrl-Z (SIGTSTP) is routed to: [read end, write end], or -1s.
    private var suspendPipe: [Int32] = [-1, -1]
    private var running = false
    private var emptyWakeups = 0

    public init() {}

    /// Sets the locale from the environment (as ncurses needs before it starts) and tells whether it is UTF-8;
    /// when it is not, the dashboard draws with ASCII only.
    public static func localeIsUTF8() -> Bool {
        setlocale(LC_ALL, "")
        return mj_locale_is_utf8() != 0
    }

    /// Takes over the terminal (stdin/stdout) and starts reading keys. Call on `queue`.
    ///
    /// - Returns: the terminal's size (columns, rows).
    /// `onHangUp` is called once when the terminal goes away (its input hangs up); keys stop then.
    public func start(onKey: @escaping (Key) -> Void, onResize: @escaping (Int, Int) -> Void,
                      onHangUp: @escaping () -> Void = {}) throws(StartError) -> (width: Int, height: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        precondition(!running, "the driver is already started")
        // SIGWINCH comes through a dispatch source on this queue, not ncurses's own handler (which only works
        // while a read is pending on this thread); ncurses installs its handler only when the default is set.
        signal(SIGWINCH, SIG_IGN)
        // Ctrl-Z likewise: ncurses's own SIGTSTP handler (installed only when the default is set) runs on
        // whichever thread the signal hits, in the middle of a frame being drawn on this queue; a suspend done
        // here, between frames, gives the terminal back whole and takes it again whole (see `suspend`). Not a
        // dispatch signal source: libdispatch's handler lets a SIGTSTP that hits an unblocked thread vanish
        // (one Ctrl-Z in a few did nothing); a handler writing to a pipe works on any thread.
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for fd in ends {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
            suspendPipe = ends
            mj_route_suspend(ends[1])
        }
        mj_install_crash_restore(1)
        guard let input = fdopen(dup(0), "r"), let output = fdopen(dup(1), "w") else {
            mj_remove_crash_restore()
            throw StartError(description: "cannot open the terminal: \(String(cString: strerror(errno)))")
        }
        guard let screen = newterm(nil, output, input) else {
            mj_remove_crash_restore()
            fclose(input)
            fclose(output)
            let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
            throw StartError(description: "the terminal type \"\(term)\" is unknown to ncurses, so the dashboard cannot draw. Set TERM to one your system knows (e.g. xterm-256color), or run with --no-tui")
        }
        self.screen = screen
        self.input = input
        self.output = output
        running = true
        // ncurses (6.4) flushes its output at every cursor move until the screen has been suspended once: a frame
        // went to the terminal in hundreds of writes of 10-30 bytes (and as many reads for the terminal on the
        // other side). One suspend and resume now, before anything is drawn or set, makes it write a frame at once.
        endwin()
        doupdate()
        cbreak()
        noecho()
        nonl()
        intrflush(mj_stdscr(), false)
        keypad(mj_stdscr(), true)
        nodelay(mj_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        var capabilities = StylePalette.Capabilities(hasColor: has_colors(), colors: 0, pairs: 0,
                                                     defaultForeground: 7, defaultBackground: 0)
        if capabilities.hasColor {
            start_color()
            if use_default_colors() == OK {
                capabilities.defaultForeground = -1
                capabilities.defaultBackground = -1
            }
            capabilities.colors = Int(mj_colors())
            capabilities.pairs = Int(mj_color_pairs())
        }
        palette = StylePalette(capabilities: capabilities)

        let keys = DispatchSource.makeReadSource(fileDescriptor: fileno(input), queue: queue)
        keys.setEventHandler { [unowned self] in
            if self.readKeys(onKey: onKey, onResize: onResize) {
                self.emptyWakeups = 0
            } else if self.inputHungUp() {
                // A closed terminal stays "readable" forever: stop listening instead of spinning.
                self.keySource?.cancel()
                self.keySource = nil
                onHangUp()
            }
        }
        // The descriptor is closed only once libdispatch has let go of it: closed at `stop`, its number was
        // reused by the next `start` (Ctrl-Z, fg) while the old watch was still being torn down, and the new
        // watch then missed keys now and then.
        keys.setCancelHandler { fclose(input) }
        keys.resume()
        keySource = keys
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: queue)
        resize.setEventHandler { [unowned self] in
            let size = self.adoptWindowSize()
            onResize(size.width, size.height)
        }
        resize.resume()
        resizeSource = resize
        if suspendPipe[0] >= 0 {
            let suspend = DispatchSource.makeReadSource(fileDescriptor: suspendPipe[0], queue: queue)
            suspend.setEventHandler { [unowned self] in
                var bytes = [UInt8](repeating: 0, count: 64)
                while read(self.suspendPipe[0], &bytes, bytes.count) > 0 {}
                guard self.running else { return }
                // The terminal is given back exactly as on quitting, and taken again exactly as at the start:
                // ncurses's own endwin/refresh resume left the screen or the modes wrong now and then.
                self.stop()
                // SIGTSTP at its default action now (`stop` put it back), as shells expect from Ctrl-Z: the stop
                // happens here, between frames. Execution goes on from here after SIGCONT (`fg`).
                kill(getpid(), SIGTSTP)
                // Continued while another process group has the terminal (now and then a SIGCONT comes before the
                // shell's `fg`): taking the terminal then would stop us on SIGTTOU mid-frame, alternate screen on.
                // Stop again until the terminal is ours.
                while let owner = Optional(tcgetpgrp(1)), owner > 0, owner != getpgrp() {
                    kill(getpid(), SIGTSTP)
                }
                do {
                    let size = try self.start(onKey: onKey, onResize: onResize, onHangUp: onHangUp)
                    onResize(size.width, size.height)
                } catch {
                    onHangUp()
                }
            }
            let readEnd = suspendPipe[0]
            // Closed only once libdispatch has let go of it.
            suspend.setCancelHandler { close(readEnd) }
            suspend.resume()
            suspendSource = suspend
        }
        return adoptWindowSize()
    }

    /// Draws `frame` in `theme`: only the cells that changed since the last frame, then one `doupdate`.
    /// Nothing is sent to the terminal when nothing changed.
    public func draw(_ frame: CellBuffer, theme: Theme) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard running, var palette else { return }
        let full = lastFrame == nil || lastFrame!.width != frame.width || lastFrame!.height != frame.height || lastTheme != theme.name
        if full { erase() }
        var changed = full
        let cells = frame.cells
        let previous = full ? nil : lastFrame?.cells
        for y in 0 ..< frame.height {
            let row = y * frame.width
            for x in 0 ..< frame.width {
                let cell = cells[row + x]
                if let previous, previous[row + x] == cell { continue }
                changed = true
                let look = palette.look(cell.role, theme: theme)
                _ = mj_put(Int32(y), Int32(x), Self.wideCharacter(cell.character), look.attrs, look.pair)
            }
        }
        self.palette = palette
        lastFrame = frame
        lastTheme = theme.name
        if changed {
            wnoutrefresh(mj_stdscr())
            doupdate()
        }
    }

    /// Puts `text` on the terminal's clipboard with OSC 52 (`ClipboardSequence`), between frames: the sequence
    /// moves no cursor and changes no cell, so ncurses's idea of the screen stays right.
    public func copyToClipboard(_ text: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard running, let output else { return }
        let sequence = ClipboardSequence.osc52(text)
        _ = sequence.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, output) }
        fflush(output)
    }

    /// Forgets what is on the screen so the next `draw` repaints everything (after another program wrote to it).
    public func invalidate() {
        dispatchPrecondition(condition: .onQueue(queue))
        lastFrame = nil
        if running { clearok(mj_stdscr(), true) }
    }

    /// Gives the terminal back (endwin): the shell's screen and modes as they were. Safe to call twice.
    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard running else { return }
        running = false
        keySource?.cancel()
        resizeSource?.cancel()
        keySource = nil
        resizeSource = nil
        suspendSource?.cancel()
        suspendSource = nil
        mj_route_suspend(-1)
        // The read end is closed by the source's cancel handler.
        if suspendPipe[1] >= 0 { close(suspendPipe[1]) }
        suspendPipe = [-1, -1]
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        // `input` is closed by the key source's cancel handler.
        if let output { fclose(output) }
        input = nil
        output = nil
        mj_remove_crash_restore()
        signal(SIGWINCH, SIG_DFL)
    }

    // MARK: - Input

    /// Reads every key ncurses has; false when there was none at all.
    private func readKeys(onKey: (Key) -> Void, onResize: (Int, Int) -> Void) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        guard running else { return true }
        var code: wint_t = 0
        var any = false
        // Drain everything ncurses has buffered: one readiness event may carry many keys.
        for _ in 0 ..< 4096 {
            let result = get_wch(&code)
            if result == ERR { break }
            any = true
            if result == KEY_CODE_YES {
                if Int32(code) == KEY_RESIZE {
                    let size = adoptWindowSize()
                    onResize(size.width, size.height)
                } else if let key = KeyDecoder.function(Int32(code)) {
                    onKey(key)
                }
            } else if let key = KeyDecoder.character(UInt32(code)) {
                onKey(key)
            }
            guard running else { return true }
        }
        return any
    }

    /// True when the terminal's input has hung up or ended (nothing more will ever be read).
    private func inputHungUp() -> Bool {
        guard let input else { return true }
        var probe = pollfd(fd: fileno(input), events: Int16(POLLIN), revents: 0)
        guard poll(&probe, 1, 0) == 1 else {
            emptyWakeups = 0
            return false
        }
        if probe.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        // Still readable although ncurses just read everything and found no key: end of file. (A lone partial
        // escape sequence is consumed, so it cannot keep the descriptor readable several times in a row.)
        emptyWakeups += 1
        return emptyWakeups >= 3
    }

    /// Reads the size from the kernel and tells ncurses about it.
    private func adoptWindowSize() -> (width: Int, height: Int) {
        var rows: Int32 = 0, cols: Int32 = 0
        if mj_window_size(1, &rows, &cols) == 0, rows > 0, cols > 0 {
            if rows != mj_lines() || cols != mj_cols() { resizeterm(rows, cols) }
        }
        lastFrame = nil
        return (Int(mj_cols()), Int(mj_lines()))
    }

    /// The character for ncurses: one scalar, one column wide; anything else becomes a replacement mark.
    private static func wideCharacter(_ character: Character) -> wchar_t {
        guard let scalar = character.unicodeScalars.first else { return 0x20 }
        let value = wchar_t(bitPattern: scalar.value)
        if scalar.value < 0x20 || (0x7f ..< 0xa0).contains(scalar.value) { return 0x3f }
        if scalar.value < 0x7f { return value }
        return mj_wcwidth(value) == 1 ? value : 0x3f
    }
}
