import ArgumentParser
import Foundation
import MetaJobHistory

/// `metajob history metrics`: the history as Prometheus metrics, for node_exporter's textfile collector.
struct HistoryMetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the history's metrics in Prometheus' text format (runs by outcome, last run, job durations and failures).",
        discussion: """
            With --output FILE the metrics are written to a temporary file beside FILE and renamed over it, so \
            node_exporter's textfile collector never reads half a file: run it after each run, for example \
            `--output /var/lib/node_exporter/textfile_collector/metajob.prom`.
            """)

    @OptionGroup var history: HistoryOptions
    @Option(name: .long, help: ArgumentHelp("Write to FILE (atomically) instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let store = try history.open(Environment(ProcessInfo.processInfo.environment))
        let text = PrometheusExposition.render(try HistoryFormat.attempt { try store.metrics() })
        guard let output else {
            CLIOutput.stdout(text)
            return
        }
        let temporary = output + ".tmp-\(getpid())"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: temporary)
            guard rename(temporary, output) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                CLIOutput.error("cannot rename \(temporary) to \(output): \(reason). Give a FILE in a directory you can write to.")
                throw CLIExit.invalid
            }
        } catch let exit as CLIExit {
            throw exit
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            CLIOutput.error("cannot write \(temporary): \(error.localizedDescription). Give a FILE in a directory you can write to.")
            throw CLIExit.invalid
        }
    }
}
