import Dispatch
import Foundation
import MetaJobCore
import MetaJobHistory

/// Runs a meta job without the dashboard: printers and the history recorder on the event stream, signals
/// handled, summary at the end.
struct HeadlessSession {
    var source: RunSource
    var options: RunOptions
    var history: HistoryOptions
    var environment: Environment

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
        finished.wait()
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
}
