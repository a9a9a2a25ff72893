import Dispatch
import Foundation
import MetaJobCore
import MetaJobScreen

/// Runs one notification command: the run's facts in its environment and as JSON on its stdin, its output
/// kept (the last few KB, never shown raw), stopped with its whole process group when it takes too long.
enum HookCommandRunner {
    /// How much of a hook's output is kept for the report.
    static let keptOutputBytes = 4096

    /// Runs `command` in `directory` and returns whether it exited 0, and what happened.
    static func run(_ command: JobCommand, directory: String, environment: [String: String], stdin: Data,
                    timeout: Double) -> (ok: Bool, detail: String) {
        let process = Process()
        var argv = command.argv
        if argv[0].contains("/") {
            process.executableURL = URL(fileURLWithPath: argv.removeFirst(), relativeTo: URL(fileURLWithPath: directory))
        } else {
            // A bare name is looked up in PATH, as a shell would.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        }
        process.arguments = argv
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return (false, "cannot start: \(error.localizedDescription)")
        }
        // Foundation makes the child a process group leader: the group is the hook and what it started.
        let group = process.processIdentifier

        let reading = DispatchGroup()
        // Read on a thread of its own; `kept` is shared with this one, which may stop waiting for it.
        let keptLock = NSLock()
        nonisolated(unsafe) var kept = Data()
        reading.enter()
        Thread.detachNewThread {
            let handle = output.fileHandleForReading
            while let chunk = try? handle.read(upToCount: 65_536), !chunk.isEmpty {
                keptLock.lock()
                kept.append(chunk)
                if kept.count > keptOutputBytes { kept = kept.suffix(keptOutputBytes) }
                keptLock.unlock()
            }
            reading.leave()
        }
        Thread.detachNewThread {
            // A hook that does not read its stdin gets EPIPE here (SIGPIPE is ignored): that is its choice.
            try? input.fileHandleForWriting.write(contentsOf: stdin)
            try? input.fileHandleForWriting.close()
        }

        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(-group, SIGTERM)
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(-group, SIGKILL)
                exited.wait()
            }
        }
        // What the hook left behind in its group (a backgrounded child holding the output pipe) goes too.
        kill(-group, SIGKILL)
        // A process that left the group (setsid) may still hold the pipe: then the reader is left blocked and
        // its descriptor open, rather than closed under it (the number could be reused while it reads).
        if reading.wait(timeout: .now() + 2) == .success {
            try? output.fileHandleForReading.close()
        }

        keptLock.lock()
        let tail = lastLine(kept)
        keptLock.unlock()
        if timedOut {
            return (false, "timed out after \(TimeFormat.duration(timeout)); stopped" + tail)
        }
        switch process.terminationReason {
        case .uncaughtSignal:
            return (false, "killed by signal \(process.terminationStatus)" + tail)
        case .exit:
            let code = process.terminationStatus
            return code == 0 ? (true, "exited 0") : (false, "exited with code \(code)" + tail)
        @unknown default:
            return (false, "ended unexpectedly" + tail)
        }
    }

    /// `: LAST LINE` of the output, sanitized and cut, or "".
    static func lastLine(_ data: Data) -> String {
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let last = lines.last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return "" }
        let text = TerminalSanitizer.sanitizeText(String(last.prefix(300)))
        return ": " + text
    }
}
