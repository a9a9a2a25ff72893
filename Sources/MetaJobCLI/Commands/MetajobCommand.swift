import ArgumentParser

/// `metajob`: runs meta jobs — DAGs of data jobs — and shows them live.
public struct MetajobCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "metajob",
        abstract: "Run meta jobs: DAGs of data jobs, each started when the jobs it depends on have finished.",
        discussion: "Exit codes: 0 succeeded, 1 failed, 2 invalid definition or usage, 130 interrupted (SIGINT), 143 terminated (SIGTERM).",
        version: MetajobCommand.version,
        subcommands: [RunCLICommand.self, ResumeCLICommand.self, ValidateCLICommand.self, GraphCLICommand.self,
                      HistoryCLICommand.self, BrowseCLICommand.self, DemoCLICommand.self,
                      InstallCLICommand.self, UninstallCLICommand.self,
                      RetryCLICommand.self, CancelCLICommand.self, PauseCLICommand.self, UnpauseCLICommand.self,
                      ConcurrencyCLICommand.self, StopCLICommand.self, AttachCLICommand.self]
    )

    /// metajob's version (`metajob --version`, the manual page's footer).
    public static let version = "0.1.0"

    public init() {}

    /// Parses the command line, runs the command and exits with metajob's exit codes (usage errors exit 2).
    public static func mainWithExitCodes() -> Never {
        SignalForwarder.ignoreBrokenPipes()
        do {
            var command = try parseAsRoot()
            try command.run()
            exit(withError: nil)
        } catch let code as CLIExit {
            exitProcess(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                CLIOutput.stderr(fullMessage(for: error) + "\n")
                exitProcess(CLIExit.invalid.rawValue)
            }
            exit(withError: error)
        }
    }
}
