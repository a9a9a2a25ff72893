import Dispatch
import Foundation
import MetaJobCore

/// Runs jobs as executions of deployed data jobs on the VDK Control Service: starts them, checks their status
/// every interval, reads their logs at the end (and while someone watches them), cancels them on request.
///
/// Every rule lives in `RemoteState`; this class only performs its actions: it sends requests through the
/// client, arms timers on the queue and delivers events. `@unchecked Sendable`: every access to its state is
/// on `queue`.
public final class RemoteExecutor: JobExecutor, @unchecked Sendable {
    private let queue: DispatchQueue
    private let onEvent: (ExecutorEvent) -> Void
    private let client: ControlServiceClient
    private let clock: RunClock
    private var state: RemoteState

    /// An executor speaking to the service in `configuration`; events go to `onEvent`, on `queue`.
    public init(queue: DispatchQueue, configuration: RemoteConfiguration, clock: RunClock = SystemClock(),
                onEvent: @escaping (ExecutorEvent) -> Void) {
        self.queue = queue
        self.onEvent = onEvent
        self.clock = clock
        self.client = ControlServiceClient(queue: queue, configuration: configuration, clock: clock)
        self.state = RemoteState(configuration: configuration, serviceURL: client.serviceURL)
    }

    deinit { client.close() }

    // MARK: - JobExecutor

    /// Starts an execution of the request's data job (or re-attaches the one an interrupted run left running).
    public func start(_ request: LaunchRequest) {
        handle(.start(request))
    }

    /// Cancels the attempt's execution (DELETE); the service decides how long stopping takes, not `graceSeconds`.
    /// Asked again without grace (a second Ctrl-C), it stops waiting for the service's word.
    public func terminate(_ key: AttemptKey, graceSeconds: Double) {
        handle(.terminate(key, graceSeconds: graceSeconds))
    }

    /// Reads the logs of the watched jobs while they run (see `RemoteState+Live`).
    public func setWatched(jobs: Set<Int>) {
        handle(.watch(jobs))
    }

    // MARK: - Performing the state machine's actions

    private func handle(_ input: RemoteInput) {
        dispatchPrecondition(condition: .onQueue(queue))
        state.words = client.words
        for action in state.handle(input, now: clock.monotonic(), wall: clock.wall()) {
            switch action {
            case .send(let request):
                // Weak: an answer that comes after the run (and its executor) is gone has no one to tell.
                client.send(request.method, request.path, body: request.body) { [weak self] result in
                    self?.handle(.answered(ticket: request.ticket, result))
                }
            case let .wake(ticket, at):
                let delay = max(0, at - clock.monotonic())
                queue.asyncAfter(deadline: .now() + .nanoseconds(Int(delay * 1e9))) { [weak self] in
                    self?.handle(.timer(ticket: ticket))
                }
            case .emit(let event):
                // Never from inside the runner's call into `start`/`terminate`.
                queue.async { [weak self] in self?.onEvent(event) }
            }
        }
    }
}
