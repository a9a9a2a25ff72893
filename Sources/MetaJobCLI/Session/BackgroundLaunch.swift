import Foundation
import MetaJobRunner
#if canImport(Glibc)
import Glibc
#endif

/// Starts the run of this very command (its arguments plus `--no-tui`) in a background copy of metajob on a
/// leash and connects to it: how the dashboard runs what it starts, so that the user can detach and the run
/// outlives the terminal (DECISIONS.md: detach).
enum BackgroundLaunch {
    /// What became of the attempt.
    enum Outcome {
        /// The copy runs it; show this.
        case started(BackgroundRun)
        /// The copy refused the run (an invalid definition: 2) or lost it: exit with `code` after `message`.
        case failed(code: Int32, message: String)
        /// No copy could be started (nothing ran): run in this process instead, saying why.
        case unavailable(String)
    }

    /// Starts the copy with `environment` (the jobs' variables); once detached, its run stays attachable
    /// `linger` seconds after it ends.
    static func start(environment: Environment, linger: Double) -> Outcome {
        let directory = ControlDirectory.path(environment: environment.variables)
        do {
            try ControlDirectory.prepare(directory)
        } catch {
            return .unavailable("runs cannot be reached from other terminals here (\(error.message))")
        }
        // A socket pair, not a pipe: writing the detach byte to a copy that died must not raise SIGPIPE here.
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            return .unavailable("cannot make the background run's leash: \(String(cString: strerror(errno)))")
        }
        let ours = pair[0]
        // The copy's end becomes its fd 3; posix_spawn's dup2 of fd 3 onto itself would leave it close-on-exec.
        var theirs = pair[1]
        if theirs <= 3 {
            let moved = fcntl(theirs, F_DUPFD_CLOEXEC, 10)
            close(theirs)
            theirs = moved
        }
        var variables = environment.variables
        variables[DetachedLaunch.lingerVariable] = String(linger)
        variables[DetachedLaunch.leashVariable] = "3"
        let arguments = Array(CommandLine.arguments.dropFirst()) + ["--no-tui"]
        let startedAt = Date()
        let outcome: DetachedLaunch.Outcome
        do {
            outcome = try DetachedLaunch.start(arguments: arguments, environment: variables, leash: theirs)
        } catch {
            close(theirs)
            close(ours)
            return .unavailable(error.message)
        }
        close(theirs)
        switch outcome {
        case let .failed(code, message):
            close(ours)
            return .failed(code: code, message: message)
        case let .started(runId, socket, said):
            // Letting go of the leash (closing `ours`) makes the copy stop a run nobody can watch.
            guard let socket else {
                close(ours)
                return .failed(code: 1, message: said + "error: run \(runId) started in the background but serves no control socket, so this dashboard cannot show it; it was stopped. Run it with --no-tui instead.\n")
            }
            do {
                let client = try ControlClient(path: socket, client: "dashboard")
                return .started(BackgroundRun(client: client, leash: ours, said: said, startedAt: startedAt))
            } catch {
                close(ours)
                return .failed(code: 1, message: said + "error: run \(runId) started in the background but cannot be reached at \(socket) (\(error.message)); it was stopped. Run it with --no-tui instead.\n")
            }
        }
    }
}
