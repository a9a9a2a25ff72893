import ArgumentParser
import MetaJobHistory

/// `--history PATH`, shared by every command that reads or writes the run history.
struct HistoryOptions: ParsableArguments {
    @Option(name: .long, help: "The history file (default: $METAJOB_HISTORY, else $XDG_STATE_HOME/metajob/history.sqlite).")
    var history: String?

    /// The history file to use: the flag, else METAJOB_HISTORY, else the XDG default.
    func path(_ environment: Environment) -> String {
        history ?? HistoryStore.defaultPath(environment: environment.variables)
    }

    /// Opens the store, or prints why not and exits 2.
    func open(_ environment: Environment) throws -> HistoryStore {
        let path = path(environment)
        do {
            return try HistoryStore(path: path)
        } catch {
            // A HistoryError already names the file; anything else gets it here.
            let why = error is HistoryError ? "\(error)" : "cannot open the run history at \(path): \(error)"
            CLIOutput.error(why + ". Give another file with --history PATH (or METAJOB_HISTORY), or run with --no-history.")
            throw CLIExit.invalid
        }
    }
}
