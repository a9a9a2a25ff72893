import ArgumentParser
import Foundation
import MetaJobRunner

/// `metajob run FILE`: validates and runs a meta job.
struct RunCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Validate and run a meta job definition (YAML or JSON).")

    @Argument(help: "The definition file.")
    var file: String

    @OptionGroup var options: RunOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var dashboard: DashboardOptions

    @Flag(name: .long, help: "Start the run in the background, detached from this terminal (output only in the history); print its id and how to attach.")
    var detach = false
    @Option(name: .long, help: "With --detach (or detaching from the dashboard): seconds the run stays attachable after it ends, so a failed job can still be retried (default 300).")
    var linger: Double = DashboardSession.defaultLinger

    func validate() throws {
        guard linger >= 0 else { throw ValidationError("--linger must be 0 or more seconds, not \(linger).") }
    }

    func run() throws {
        let (definition, bytes) = try DefinitionFile.load(path: file)
        if detach { try startDetached() }
        let source = RunSource(definition: definition, definitionText: bytes, definitionPath: DefinitionFile.resolvedPath(file))
        var variables = ProcessInfo.processInfo.environment
        // Set for a background copy only; the jobs do not inherit it.
        let background = BackgroundRole.take(from: &variables)
        let code = try RunSession(source: source, options: options, dashboard: dashboard, history: history,
                                  environment: Environment(variables), background: background, detachLinger: linger).run()
        throw code
    }

    /// Starts this run again in the background (the definition was found valid) and reports how to reach it.
    private func startDetached() throws -> Never {
        var arguments: [String] = []
        var skipValue = false
        for argument in CommandLine.arguments.dropFirst() {
            if skipValue { skipValue = false; continue }
            if argument == "--detach" || argument.hasPrefix("--linger=") { continue }
            if argument == "--linger" { skipValue = true; continue }
            arguments.append(argument)
        }
        arguments.append("--no-tui")
        var environment = ProcessInfo.processInfo.environment
        environment[DetachedLaunch.lingerVariable] = String(linger)
        let outcome: DetachedLaunch.Outcome
        do {
            outcome = try DetachedLaunch.start(arguments: arguments, environment: environment)
        } catch {
            CLIOutput.error(error.message)
            throw CLIExit.failed
        }
        switch outcome {
        case let .started(runId, _, said):
            CLIOutput.stderr(said)
            CLIOutput.stdout("""
                started run \(runId) in the background
                  watch it:    metajob attach \(runId)
                  control it:  metajob retry|cancel|pause|unpause|stop \(runId)
                  its record:  metajob history show \(runId)

                """)
            throw CLIExit.succeeded
        case let .failed(code, message):
            CLIOutput.stderr(message)
            throw CLIExit(rawValue: code) ?? .failed
        }
    }
}
