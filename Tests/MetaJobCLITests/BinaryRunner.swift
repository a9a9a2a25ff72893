import Foundation

/// Runs the built `metajob` binary as a user would, capturing its output and exit code.
enum BinaryRunner {
    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
        var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// The `metajob` executable built beside the test bundle.
    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("metajob")
    }

    /// Runs `metajob args…` in `directory` with `environment` added; `onStart` gets the process once it runs.
    static func run(_ args: [String], in directory: String? = nil, environment: [String: String] = [:],
                    onStart: ((Process) -> Void)? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = testEnvironment(adding: environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        onStart?(process)
        // Read both pipes concurrently so a chatty stream cannot block the other.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The history file of tests that do not give their own; removed (with its WAL and log files) when the
    /// test process exits, so test runs leave nothing in the temp directory.
    static let sharedHistory: String = {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("metajob-cli-tests-\(UUID().uuidString).sqlite").path
        atexit {
            for suffix in ["", "-wal", "-shm", "-logs"] {
                try? FileManager.default.removeItem(atPath: BinaryRunner.sharedHistory + suffix)
            }
        }
        return path
    }()

    /// This process's environment without settings that would change a run, recording into `sharedHistory`.
    static func testEnvironment(adding extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("DAGS_") || key.hasPrefix("VDK_DAGS_") { env[key] = nil }
        // Never record test runs in the user's own history.
        env["METAJOB_HISTORY"] = sharedHistory
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Starts `metajob args…` in `directory` without waiting; its output goes to `stdout` and `stderr` (discarded by default).
    static func launch(_ args: [String], in directory: String, environment: [String: String] = [:],
                       stdout: Any = FileHandle.nullDevice, stderr: Any = FileHandle.nullDevice) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = testEnvironment(adding: environment)
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return process
    }

    /// Runs `metajob args…` and returns its stdout bytes exactly (no UTF-8 decoding).
    static func runRaw(_ args: [String], in directory: String) throws -> [UInt8] {
        let out = Pipe()
        let process = try launch(args, in: directory, stdout: out)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    /// A fresh temporary directory holding `files` (name → contents).
    static func directory(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }
}
