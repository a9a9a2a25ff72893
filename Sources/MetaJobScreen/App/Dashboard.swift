import MetaJobCore


/// The dashboard's whole state (the app model): which view, what is selected, scroll positions, the run.
///
/// Pure: `update` takes a message and returns effects for the session to perform; `render` draws the whole
/// frame into a cell buffer. No terminal, clock or thread inside, so tests drive it key by key.
public struct Dashboard: Sendable {
    /// How the dashboard was opened.
    public enum Mode: Sendable, Equatable {
        /// Watching a live run (`run`, `demo`, `resume`).
        case live
        /// The history browser (`metajob browse`).
        case browser
    }

    /// The theme the frame is drawn with (`T` cycles through `themes`).
    public private(set) var theme: Theme
    /// The terminal's size as last reported.
    public private(set) var width = 80
    public private(set) var height = 24

    private let themes: [Theme]
    private let ascii: Bool
    private let exitWhenDone: Bool

    /// - Parameters:
    ///   - themes: the themes `T` cycles through; the first is the starting one.
    ///   - ascii: draw with ASCII only (the locale is not UTF-8).
    ///   - exitWhenDone: `--exit-when-done`: quit when the run ends instead of staying on the final state.
    public init(mode: Mode, themes: [Theme], ascii: Bool, exitWhenDone: Bool = false) {
        precondition(!themes.isEmpty, "at least one theme")
        self.themes = themes
        self.theme = themes[0]
        self.ascii = ascii
        self.exitWhenDone = exitWhenDone
    }

    /// Applies one message; returns what the session must do.
    public mutating func update(_ message: DashboardMessage) -> [DashboardEffect] {
        switch message {
        case .resize(let w, let h):
            width = w
            height = h
        case .key(.character("q")):
            return [.quit(stopRunning: false)]
        default:
            break
        }
        return []
    }

    /// Draws the whole frame at the current size.
    public func render() -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        buffer.put("metajob", x: 0, y: 0, role: .header)
        return buffer
    }
}
