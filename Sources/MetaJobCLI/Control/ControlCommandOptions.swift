import ArgumentParser

/// The run argument and `--history` every control verb (`retry`, `cancel`, `pause`, …) takes.
struct ControlCommandOptions: ParsableArguments {
    @OptionGroup var history: HistoryOptions
    @Argument(help: ArgumentHelp("The live run: its id or any unique prefix of it (`metajob history list --live`).", valueName: "run"))
    var runID: String
}
