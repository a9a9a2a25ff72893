import MetaJobCore
import MetaJobScreen

/// When a dashboard session leaves and what it does to the run on its way out: the one owner of the
/// quit / drain / signal rules. A state machine: the user's quit, signals and the run's status (from its
/// events) in; commands for the run and steps for the session out.
struct QuitPolicy: Equatable {
    /// What the session does.
    enum Action: Equatable {
        /// A command for the run.
        case send(RunCommand)
        /// Give the terminal back (the summary and any message follow on the plain terminal).
        case closeTerminal
        /// Tell the user on stderr.
        case say(String)
        /// Leave the run going without this dashboard (a run started in the background).
        case detach
        /// Leave: the run has ended or nothing runs.
        case finish
    }

    /// `--on-failure cancel`: quitting stops running jobs instead of waiting for them.
    let cancelOnQuit: Bool
    /// Leaving once the run ends.
    private(set) var quitting = false
    /// Waiting for the running jobs to end before stopping the rest.
    private(set) var draining = false
    /// The first signal received (0: none); decides 130 or 143.
    private(set) var signal: Int32 = 0
    /// The user detached: the run goes on without this dashboard.
    private(set) var detached = false

    /// The run lives in another process (`metajob attach`): quitting and signals detach, never stop it.
    var detachOnQuit: Bool

    init(cancelOnQuit: Bool, detachOnQuit: Bool = false) {
        self.cancelOnQuit = cancelOnQuit
        self.detachOnQuit = detachOnQuit
    }

    /// The user quits; `stopRunning`: they confirmed stopping jobs that still run. `run`: the shown run, nil if none.
    mutating func quit(stopRunning: Bool, run: LiveRunStatus?) -> [Action] {
        guard !quitting else { return [] }
        guard let run, run.isGoing, !detachOnQuit else { return [.finish] }
        quitting = true
        if stopRunning || cancelOnQuit {
            return [.closeTerminal, .say("Stopping the running jobs (SIGTERM, then SIGKILL after the grace period)…\n"),
                    .send(.stop(immediate: false))]
        }
        draining = true
        return [.closeTerminal, .say("Waiting for the running jobs to end; no new job starts. Ctrl-C stops them.\n"),
                .send(.pause)] + runChanged(run)
    }

    /// The user detaches from a run that can go on without the dashboard (started in the background): it goes
    /// on; nothing is sent to it.
    mutating func detach(run: LiveRunStatus?) -> [Action] {
        guard !quitting else { return [] }
        guard let run, run.isGoing else { return [.finish] }
        quitting = true
        detached = true
        return [.detach, .finish]
    }

    /// SIGINT/SIGTERM (`immediate` from the second on): as headless, stop the run and leave once it has ended.
    mutating func signal(_ sig: Int32, immediate: Bool, run: LiveRunStatus?) -> [Action] {
        if signal == 0 { signal = sig }
        guard let run, run.isGoing, !detachOnQuit else { return [.finish] }
        quitting = true
        draining = false
        return [.send(.stop(immediate: immediate))]
    }

    /// The run's status after its latest events.
    mutating func runChanged(_ run: LiveRunStatus?) -> [Action] {
        guard quitting, let run else { return [] }
        if !run.isGoing { return [.finish] }
        if draining && run.slotsUsed == 0 {
            draining = false
            return [.send(.stop(immediate: false))]
        }
        return []
    }
}
