import ArgumentParser

/// The dashboard's own flags, shared by `run`, `demo`, `resume` and `browse`.
struct DashboardOptions: ParsableArguments {
    @Flag(name: .long, help: "Leave the dashboard when the meta job ends instead of staying on its final state.")
    var exitWhenDone = false

    @Option(name: .long, help: ArgumentHelp(
        "The dashboard's theme: default, light, high-contrast, mono, a name in $XDG_CONFIG_HOME/metajob/themes/, or a file (default: $METAJOB_THEME; mono when NO_COLOR is set).",
        valueName: "name|path"))
    var theme: String?
}
