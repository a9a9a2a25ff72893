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
    /// The background copy of `run --detach`: the run stays attachable this many seconds after it ends.
    var detachedLinger: Double? = nil

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
        let printer: RunObserver = options.output == .json
            ? JSONPrinter(out: out, showLogs: options.logs)
            : PlainPrinter(out: out, showLogs: options.logs)
        // In process the subscription cannot fail; a connection that could is not started here.
        try? connection.subscribe(printer)
        // Printed logs are watched logs: a remote job's lines then arrive while it runs, not only at its end.
        if options.logs { connection.setWatched(jobs: Set(0 ..< prepared.jobCount)) }

        let signals = SignalForwarder(connection: connection)
        let finished = DispatchSemaphore(value: 0)
        connection.onFinish { _ in finished.signal() }
        prepared.start()
        if detachedLinger != nil { reportStarted(prepared.runId) }
        finished.wait()
        if let detachedLinger { linger(detachedLinger, finished: finished, prepared: prepared, signals: signals) }
        let elapsed = prepared.elapsed
        let snapshot = prepared.finalSnapshot()
        connection.unsubscribe(printer)
        if let warning = prepared.closeRecording() { CLIOutput.stderr(warning) }
        // The writer belongs to the connection's queue (its deferred flushes run there): finish on it too.
        let summary = options.output == .plain ? SummaryTable.render(snapshot, elapsed: elapsed) : ""
        connection.queue.sync {
            out.write(summary)
            out.flush()
        }
        if environment["METAJOB_RESOURCE_REPORT"] != nil { ResourceReport.print() }
        let code = prepared.exitCode(signal: signals.received)
        CLIOutput.stderr(prepared.notify(exitCode: code))
        return code
    }

    /// Tells the `run --detach` that started us that the run is going, then lets go of its pipe (stderr).
    private func reportStarted(_ runId: String) {
        CLIOutput.stderr(DetachedLaunch.startedPrefix + runId + "\n")
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 {
            dup2(null, 2)
            close(null)
        }
    }

    /// Keeps a finished detached run attachable for `seconds` (a retry reopens it and starts the wait over);
    /// a signal ends the wait at once.
    private func linger(_ seconds: Double, finished: DispatchSemaphore, prepared: PreparedRun, signals: SignalForwarder) {
        var deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && signals.received == 0 {
            if finished.wait(timeout: .now() + min(0.25, max(0, deadline.timeIntervalSinceNow))) == .success {
                deadline = Date().addingTimeInterval(seconds)
            } else if prepared.finalSnapshot().isGoing {
                // Reopened by a retry: wait for it to end again, then linger anew.
                while finished.wait(timeout: .now() + 0.25) == .timedOut && signals.received == 0 {}
                deadline = Date().addingTimeInterval(seconds)
            }
        }
    }
}
