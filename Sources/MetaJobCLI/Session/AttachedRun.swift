import Foundation
import MetaJobCore
import MetaJobRunner

/// A run of another process, shown through its control socket (`metajob attach`). Leaving closes only the
/// connection: the run goes on.
final class AttachedRun: ShownRun, @unchecked Sendable {
    private let client: ControlClient
    private let startedAt: Double

    /// The run `client` is connected to, which started at wall time `startedAt`.
    init(client: ControlClient, startedAt: Double) {
        self.client = client
        self.startedAt = startedAt
    }

    var connection: RunConnection { client }
    var runId: String { client.runId }
    var isAttached: Bool { true }
    /// `q` already detaches from a run of another process, without asking.
    var canDetach: Bool { false }
    func detach() { client.close() }
    var warnings: [String] { [] }
    func start() {}

    func closeRecording() -> String? {
        client.close()
        return nil
    }

    /// The run's own process records it: it is asked to write what it buffers, and answers once it has.
    func flushRecording() {
        _ = client.syncHistory()
    }
    /// The run's own process sends its notifications when it ends.
    func notify(exitCode: CLIExit) -> String { "" }

    func finalSnapshot() -> RunSnapshot { client.currentSnapshot }
    var elapsed: Double { max(0, Date().timeIntervalSince1970 - startedAt) }

    /// Detaching is a success whatever the run does; the run's own exit is its process's.
    func exitCode(signal: Int32) -> CLIExit { .succeeded }
}
