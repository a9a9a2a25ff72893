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
        let runner = prepared.runner
        let out = OutputWriter(fd: 1, flushQueue: runner.queue)
        let printer: RunObserver = options.output == .json
            ? JSONPrinter(out: out, showLogs: options.logs)
            : PlainPrinter(out: out, showLogs: options.logs)
        runner.subscribe(printer)
        // Printed logs are watched logs: a remote job's lines then arrive while it runs, not only at its end.
        if options.logs { runner.setWatched(jobs: Set(runner.info.jobs.indices)) }

        let signals = SignalForwarder(runner: runner)
        let finished = DispatchSemaphore(value: 0)
        runner.onFinish { _ in finished.signal() }
        prepared.start()
        finished.wait()
        let elapsed = prepared.elapsed
        let snapshot = runner.snapshot()
        runner.unsubscribe(printer)
        if let warning = prepared.closeRecording() { CLIOutput.stderr(warning) }
        // The writer belongs to the runner's queue (its deferred flushes run there): finish on it too.
        let summary = options.output == .plain ? SummaryTable.render(snapshot, elapsed: elapsed) : ""
        runner.queue.sync {
            out.write(summary)
            out.flush()
        }
        if environment["METAJOB_RESOURCE_REPORT"] != nil { ResourceReport.print() }
        return prepared.exitCode(signal: signals.received)
    }
}
