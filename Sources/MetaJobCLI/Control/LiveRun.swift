import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner
import MetaJobScreen

/// Finds a live run of this host in the history by id or prefix and connects to its control socket: what
/// `attach` and the control verbs (`retry`, `cancel`, `pause`, …) share. Every way it can fail prints why and
/// what to do instead, and throws the exit code.
struct LiveRun {
    /// The run as the history has it.
    var detail: RunDetail
    /// The connection to it.
    var client: ControlClient

    /// True when `run` can be attached to and controlled from here now.
    static func isLive(_ run: RunSummary) -> Bool {
        guard let path = run.controlSocket, run.state == .running || !ControlDirectory.isStale(path) else { return false }
        return ControlDirectory.isLive(path)
    }

    /// Connects to run `idOrPrefix` as `client` (`cli`, `dashboard`). Exits 2 when there is no such run, it has
    /// ended (`resume` is then the way on), or it cannot be reached from here.
    static func connect(_ idOrPrefix: String, store: HistoryStore, client: String) throws -> LiveRun {
        let detail = try HistoryFormat.attempt { try store.run(idOrPrefix) }
        let summary = detail.summary
        // A detached run that ended stays reachable while it lingers: its socket, not its state, says it is live.
        guard summary.state == .running || summary.controlSocket.map(ControlDirectory.isLive) == true else {
            // A killed run's socket is stale: remove it, never trust it.
            if let path = summary.controlSocket { ControlDirectory.removeIfStale(path) }
            let next = summary.state == .succeeded ? "" : " Use `metajob resume \(summary.runId)` to run its failed jobs again."
            CLIOutput.error("run \(summary.runId) has ended (\(summary.state.rawValue)): it can no longer be controlled.\(next)")
            throw CLIExit.invalid
        }
        guard let path = summary.controlSocket else {
            // The history gives a socket only for runs of this host that serve one.
            CLIOutput.error("run \(summary.runId) cannot be controlled from here: it runs on host \(detail.host) (pid \(detail.pid)) — there, `ssh -t \(detail.host) metajob attach \(summary.runId)` — or was started by a metajob without control sockets.")
            throw CLIExit.invalid
        }
        do {
            return LiveRun(detail: detail, client: try ControlClient(path: path, client: client))
        } catch {
            // A socket nothing listens on belongs to a run that was killed: remove it, never trust it.
            ControlDirectory.removeIfStale(path)
            CLIOutput.error("run \(summary.runId) cannot be reached at \(path): \(error.message). If it was just ending, `metajob history show \(summary.runId)` shows how it ended.")
            throw CLIExit.invalid
        }
    }

    /// The index of job `name` in the run, or prints the run's jobs and exits 2.
    func job(_ name: String) throws -> Int {
        let names = client.currentSnapshot.outline.jobs.map(\.name)
        if let index = names.firstIndex(of: name) { return index }
        let list = names.count <= 20 ? names.joined(separator: ", ") : names.prefix(20).joined(separator: ", ") + ", …"
        CLIOutput.error("run \(detail.summary.runId) has no job \(name). Its jobs: \(list).")
        throw CLIExit.invalid
    }

    /// Sends `command`, prints `done` when accepted (exit 0) or the run's reason when refused (exit 1).
    func perform(_ command: RunCommand, done: String) throws {
        defer { client.close() }
        switch client.sendAndWait(command) {
        case .accepted:
            CLIOutput.stdout(TerminalSanitizer.sanitizeText("\(detail.summary.runId): \(done)") + "\n")
        case .refused(let why):
            CLIOutput.error("run \(detail.summary.runId) refused: \(why).")
            throw CLIExit.failed
        }
    }
}
