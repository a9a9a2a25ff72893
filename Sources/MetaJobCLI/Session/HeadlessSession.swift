import Dispatch
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobRunner

/// Runs a meta job without the dashboard: printers and the history recorder on the event stream, signals
/// handled, summary at the end.
struct HeadlessSession {
    var source: RunSource
    var options: RunOptions
    var history: HistoryOptions
    var environment: Environment
    /// Set for a background copy (`run --detach`, or a dashboard's run): how long it lingers, and the leash.
    var background: BackgroundRole? = nil

    /// Runs to the end and returns the exit code.
    func run() throws -> CLIExit {
        let store = options.noHistory ? nil : try history.open(environment)
        let prepared: PreparedRun
        do {
            prepared = try PreparedRun(source: source, options: options, environment: environment, store: store)
        } catch {
            CLIOutput.stderr(error.text)
            throw CLIExit.invalid
        }
        for warning in prepared.warnings { CLIOutput.stderr(warning) }
        let connection = prepared.connection
        let out = OutputWriter(fd: 1, flushQueue: connection.queue)
        // A background copy's output is /dev/null: it prints nothing (its run is in the history and on its socket).
        let printer: RunObserver? = if background != nil { nil }
            else if options.output == .json { JSONPrinter(out: out, showLogs: options.logs) }
            else { PlainPrinter(out: out, showLogs: options.logs) }
        // In process the subscription cannot fail; a connection that could is not started here.
        if let printer { try? connection.subscribe(printer) }
        // Printed logs are watched logs: a remote job's lines then arrive while it runs, not only at its end.
        if options.logs && printer != nil { connection.setWatched(jobs: Set(0 ..< prepared.jobCount)) }

        let signals = SignalForwarder(connection: connection)
        let finished = DispatchSemaphore(value: 0)
        connection.onFinish { _ in finished.signal() }
        if let leash = background?.leash {
            // A dashboard's run: it starts once the dashboard watches it (nothing it shows is missed), and stops
            // when the dashboard goes without detaching — nobody watches it any more (as the dashboard's own
            // process would have stopped it on SIGHUP).
            reportStarted(prepared.runId, socket: prepared.controlSocket)
            leash.waitForGo()
            prepared.start()
            leash.whenReleased {
                if prepared.finalSnapshot().isGoing {
                    connection.send(.stop(immediate: false))
                } else {
                    // The run has ended and its dashboard is going: end now, not at the linger's next look (the
                    // dashboard's command waits for our last words; a quarter second on every dashboard run).
                    finished.signal()
                }
            }
        } else {
            prepared.start()
            if background != nil { reportStarted(prepared.runId, socket: prepared.controlSocket) }
        }
        finished.wait()
        if let background { linger(background, finished: finished, prepared: prepared, signals: signals) }
        let elapsed = prepared.elapsed
        let snapshot = prepared.finalSnapshot()
        if let printer { connection.unsubscribe(printer) }
        let recordingWarning = prepared.closeRecording()
        if let recordingWarning { CLIOutput.stderr(recordingWarning) }
        // The writer belongs to the connection's queue (its deferred flushes run there): finish on it too.
        let summary = options.output == .plain ? SummaryTable.render(snapshot, elapsed: elapsed) : ""
        connection.queue.sync {
            out.write(summary)
            out.flush()
        }
        if environment["METAJOB_RESOURCE_REPORT"] != nil { ResourceReport.print() }
        let code = prepared.exitCode(signal: signals.received)
        let notified = prepared.notify(exitCode: code)
        CLIOutput.stderr(notified)
        // The dashboard that started this run (and let go of it) prints these and then ends.
        background?.leash?.finish(saying: [recordingWarning ?? "", notified])
        return code
    }

    /// Tells the metajob that started us in the background that the run is going (its id and socket), then lets
    /// go of its pipe (stderr).
    private func reportStarted(_ runId: String, socket: String?) {
        CLIOutput.stderr(DetachedLaunch.startedPrefix + runId + (socket.map { "\t" + $0 } ?? "") + "\n")
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 {
            dup2(null, 2)
            close(null)
        }
    }

    /// Keeps a finished background run attachable: while its dashboard holds it (that dashboard may still retry
    /// a job), then `role.linger` seconds after it ended or was detached, whichever is later; not at all once
    /// its dashboard let go without detaching. A retry reopens the run and starts the wait over; a signal ends
    /// it at once.
    private func linger(_ role: BackgroundRole, finished: DispatchSemaphore, prepared: PreparedRun, signals: SignalForwarder) {
        var endedAt = Date()
        while signals.received == 0 {
            if prepared.finalSnapshot().isGoing {
                // Reopened by a retry: wait for it to end again, then linger anew.
                while finished.wait(timeout: .now() + 0.25) == .timedOut && signals.received == 0 {}
                endedAt = Date()
                continue
            }
            let deadline: Date?
            switch role.leash?.state {
            case .held?: deadline = nil
            case .released?: return
            case .detached(let at)?: deadline = max(endedAt, at).addingTimeInterval(role.linger)
            case nil: deadline = endedAt.addingTimeInterval(role.linger)
            }
            if let deadline, deadline.timeIntervalSinceNow <= 0 { return }
            let wait = min(0.25, deadline?.timeIntervalSinceNow ?? 0.25)
            if finished.wait(timeout: .now() + max(0, wait)) == .success { endedAt = Date() }
        }
    }
}
