import Foundation
import Testing

/// A real terminal for end-to-end dashboard tests: a tmux server on a private socket running a plain shell,
/// driven with `send-keys` and read with `capture-pane`.
final class DashboardTmux {
    /// Why tmux cannot be used, or nil when it can.
    static let missingReason: String? = {
        guard let path = executable("tmux") else {
            return "tmux is not installed: the dashboard's end-to-end tests need it (apt-get install tmux)"
        }
        _ = path
        return nil
    }()

    /// The `tmux` binary on PATH, if any.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    private let socket = "metajob-test-\(UUID().uuidString.prefix(8))"
    private let tmux: String
    /// A scratch directory for the session (history file, definitions, pid files).
    let directory: String

    /// Starts a detached 120×40 session running a shell with `environment` added to the test environment.
    init(environment: [String: String] = [:], width: Int = 120, height: Int = 40) throws {
        tmux = Self.executable("tmux") ?? "tmux"
        directory = try BinaryRunner.directory([:])
        let inherited = BinaryRunner.testEnvironment()
        // A small, known environment: the shell and metajob see only this and the TERM tmux sets.
        var env: [String: String] = ["PATH": inherited["PATH"] ?? "/usr/bin:/bin", "HOME": inherited["HOME"] ?? directory,
                                     "METAJOB_HISTORY": inherited["METAJOB_HISTORY"] ?? directory + "/history.sqlite",
                                     "LC_ALL": "C.UTF-8", "PS1": "$ ", "HISTFILE": "/dev/null"]
        for (k, v) in environment { env[k] = v }
        let shell = FileManager.default.isExecutableFile(atPath: "/bin/bash") ? "/bin/bash --norc --noprofile" : "/bin/sh"
        var serverEnvironment = inherited
        serverEnvironment["TMUX"] = nil
        serverEnvironment["LC_ALL"] = "C.UTF-8"
        try run(["-f", "/dev/null", "new-session", "-d", "-x", String(width), "-y", String(height), "-c", directory,
                 "env -i TERM=\"$TERM\" " + env.map { "\($0.key)=\(Self.quote($0.value))" }.sorted().joined(separator: " ") + " " + shell],
                environment: serverEnvironment, startsServer: true)
    }

    deinit { kill() }

    /// Stops the tmux server and everything in it.
    func kill() {
        _ = try? run(["kill-server"], check: false)
    }

    /// Stops the server and deletes the scratch directory (for tests whose history holds hundreds of MB).
    func killAndRemoveDirectory() {
        kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Types `text` literally.
    func type(_ text: String) throws {
        try run(["send-keys", "-t", "0", "-l", text])
    }

    /// Presses keys by tmux name (`Enter`, `q`, `Escape`).
    func press(_ keys: String...) throws {
        try run(["send-keys", "-t", "0"] + keys)
    }

    /// Types a shell command line and presses Enter.
    func command(_ line: String) throws {
        try type(line)
        try press("Enter")
    }

    /// What the pane shows now, one line per row.
    func screen() throws -> String {
        try run(["capture-pane", "-p", "-t", "0"])
    }

    /// True while the pane is on the alternate screen (a full-screen program has it).
    func alternateScreen() throws -> Bool {
        try run(["display-message", "-p", "-t", "0", "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// Polls the pane until `condition` holds on its text or the deadline passes; returns the last screen and
    /// whether the condition held.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 45, _ condition: (String) throws -> Bool) throws -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while true {
            last = try screen()
            if try condition(last) { return (true, last) }
            if Date() > deadline { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out after \(Int(timeout)) s waiting for \(what); the screen:\n\(last)")
        return (false, last)
    }

    /// Waits until the pane shows `text`.
    @discardableResult
    func waitFor(text: String, timeout: Double = 45) throws -> (ok: Bool, screen: String) {
        try waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    // MARK: - Reliability helpers

    /// A tmux format (`#{pane_title}`, `#{alternate_on}`) evaluated for the pane.
    func display(_ format: String) throws -> String {
        try run(["display-message", "-p", "-t", "0", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The pane's title, which an OSC 0/2 sequence that reached the terminal would change.
    func paneTitle() throws -> String { try display("#{pane_title}") }

    /// The terminal modes a full-screen program may change and must put back: alternate screen, cursor
    /// visibility, keypad and mouse modes, insert/origin/wrap modes and the scroll region.
    func terminalModes() throws -> [String: String] {
        let names = ["alternate_on", "cursor_flag", "insert_flag", "keypad_cursor_flag", "keypad_flag", "mouse_any_flag",
                     "mouse_all_flag", "mouse_button_flag", "mouse_sgr_flag", "origin_flag", "wrap_flag",
                     "scroll_region_upper", "scroll_region_lower"]
        let values = try display(names.map { "#{\($0)}" }.joined(separator: " ")).split(separator: " ", omittingEmptySubsequences: false)
        return Dictionary(uniqueKeysWithValues: zip(names, values.map(String.init)))
    }

    /// Lets programs in the pane set tmux's paste buffers with OSC 52 (off by default), so a clipboard write
    /// that reaches the terminal becomes visible in `pasteBuffers()`.
    func allowClipboardWrites() throws {
        try run(["set-option", "-s", "set-clipboard", "on"])
    }

    /// The contents of tmux's paste buffers, newest first.
    func pasteBuffers() throws -> [String] {
        let names = try run(["list-buffers", "-F", "#{buffer_name}"]).split(separator: "\n").map(String.init)
        return try names.map { try run(["show-buffer", "-b", $0]) }
    }

    /// Runs `metajob args…` in the pane's shell through `sh -c 'echo $$ > pidfile; exec …'`, so the pid written
    /// is the dashboard's own, in the terminal's foreground; afterwards the shell prints `exit=CODE` and writes
    /// CODE to `exit.txt`. Returns metajob's pid once it is known.
    func launchMetajob(_ args: [String], timeout: Double = 30) throws -> pid_t {
        let pidFile = directory + "/metajob.pid"
        try? FileManager.default.removeItem(atPath: pidFile)
        try? FileManager.default.removeItem(atPath: directory + "/exit.txt")
        let argv = ([BinaryRunner.binary.path] + args).map(Self.quote).joined(separator: " ")
        try command("sh -c \(Self.quote("echo $$ > \(pidFile); exec \(argv)")); rc=$?; echo $rc > exit.txt; echo \"exit=$rc\"")
        var pid: pid_t?
        _ = ProcessProbe.eventually(timeout) {
            pid = ProcessProbe.pid(in: pidFile)
            return pid != nil
        }
        let shown = (try? screen()) ?? ""
        return try #require(pid, "metajob did not start in the pane; the screen:\n\(shown)")
    }

    /// Waits for the shell to report metajob's exit code (see `launchMetajob`); nil on timeout.
    func exitCode(timeout: Double = 30) -> Int32? {
        var code: Int32?
        _ = ProcessProbe.eventually(timeout) {
            let text = (try? String(contentsOfFile: directory + "/exit.txt", encoding: .utf8)) ?? ""
            code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            return code != nil
        }
        return code
    }

    /// Expects the shell to read lines with echo on again: a command typed now runs and its output shows.
    func expectShellUsable() throws {
        let token = String(UUID().uuidString.prefix(8)).lowercased()
        // The output differs from the typed line (`$((1+1))` expands), so only a running shell prints it.
        try command("clear; echo ok-\(token)-$((1+1)); stty -a | grep -q -e '-icanon' -e ' -echo ' && echo tty-broken || echo tty-$((2+2))-sane")
        #expect(try waitFor(text: "ok-\(token)-2", timeout: 15).ok, "the shell does not run commands after metajob exited")
        #expect(try waitFor(text: "tty-4-sane", timeout: 15).ok, "the terminal is left without echo or line editing")
    }

    @discardableResult
    private func run(_ args: [String], environment: [String: String]? = nil, check: Bool = true,
                     startsServer: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tmux)
        process.arguments = ["-L", socket] + args
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        if startsServer {
            // The server forks off the client and keeps every descriptor it inherits — Foundation's Process
            // watches its child through one, and would wait forever. So: posix_spawn with only /dev/null.
            let status = try Self.spawnDetached([tmux, "-L", socket] + args, environment: environment ?? [:])
            if check, status != 0 {
                throw TmuxError(message: "tmux \(args.prefix(3).joined(separator: " ")) exited \(status)")
            }
            return ""
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if check, process.terminationStatus != 0 {
            throw TmuxError(message: "tmux \(args.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `argv` with stdin/stdout/stderr on /dev/null and no other descriptor; returns its exit status.
    private static func spawnDetached(_ argv: [String], environment: [String: String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0 ... 2 {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // glibc ≥ 2.34 has closefrom for spawn; Swift's Glibc module does not declare it, so look it up.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        // The calling thread blocks most signals (test runner threads do); tmux needs them, so start it clean.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw TmuxError(message: "cannot start tmux: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    private static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
