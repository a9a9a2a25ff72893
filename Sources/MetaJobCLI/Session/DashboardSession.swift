import Dispatch
import Foundation
import MetaJobCore
import MetaJobHistory
import MetaJobScreen
import MetaJobTerminal

/// Runs the dashboard: takes the terminal, runs the meta job (or browses the history), draws the app model,
/// performs its effects, and gives the terminal back before printing the same summary as a headless run.
struct DashboardSession {
    /// Why the dashboard cannot start, worded for the user.
    struct Problem: Error {
        var message: String
    }

    var options: RunOptions
    var dashboard: DashboardOptions
    var history: HistoryOptions
    var environment: Environment
    /// Variables the jobs get only when the dashboard really opens (the demo's flaky job fails for good there,
    /// so `R` has something to retry; falling back to plain output, it must not).
    var dashboardOnly: [String: String] = [:]
    /// Seconds a run started here stays attachable after it ends, once the user detached from it.
    var detachLinger = DashboardSession.defaultLinger

    /// The default of `--linger`: five minutes to come back and retry a failed job in the same run.
    static let defaultLinger = 300.0

    /// True when both stdin and stdout are terminals and TERM names a terminal that can draw.
    static func terminalAvailable(_ environment: Environment) -> Bool {
        guard isatty(0) == 1, isatty(1) == 1, let term = environment["TERM"], term != "dumb" else { return false }
        return true
    }

    /// Runs `source` live in the dashboard and returns the exit code (as headless: 0, 1, 2, 130, 143).
    func run(source: RunSource) throws -> CLIExit {
        let themes = try resolveThemes()
        let store = options.noHistory ? nil : try history.open(environment)
        let loop = DashboardLoop(mode: .live, themes: themes, session: self, store: store)
        do {
            try loop.open()
        } catch {
            // The run has not started: fall back to plain output rather than refusing to run.
            CLIOutput.stderr("warning: \(error.message); running without the dashboard.\n")
            return try HeadlessSession(source: source, options: options, history: history, environment: environment).run()
        }
        var environment = self.environment
        environment.variables.merge(dashboardOnly) { _, new in new }
        var fallbackWarning: String?
        // The run goes in a background copy of this command, so that it can outlive the terminal when the user
        // detaches (DECISIONS.md: detach); where that copy cannot be started or reached, it runs in this process.
        switch BackgroundLaunch.start(environment: environment, linger: detachLinger) {
        case .started(let run):
            loop.startLive(run)
            return loop.waitAndFinish()
        case .failed(let code, let message):
            loop.close()
            CLIOutput.stderr(message)
            throw CLIExit(rawValue: code) ?? .failed
        case .unavailable(let why):
            fallbackWarning = "warning: \(why); the run goes in this process and cannot be detached"
        }
        let prepared: PreparedRun
        do {
            prepared = try PreparedRun(source: source, options: options, environment: environment, store: store)
        } catch {
            loop.close()
            CLIOutput.stderr(error.text)
            throw CLIExit.invalid
        }
        loop.startLive(prepared)
        if let fallbackWarning { loop.warn(fallbackWarning) }
        return loop.waitAndFinish()
    }

    /// Opens the history browser and returns the exit code (0, or a resumed run's, or 130/143 for a signal).
    func browse() throws -> CLIExit {
        let themes = try resolveThemes()
        let store = try history.open(environment)
        guard Self.terminalAvailable(environment) else {
            CLIOutput.error("the history browser needs a terminal (stdin and stdout a terminal, TERM set and not dumb). Use `metajob history list` and `metajob history show RUN` instead.")
            throw CLIExit.invalid
        }
        let loop = DashboardLoop(mode: .browser, themes: themes, session: self, store: store)
        do {
            try loop.open()
        } catch {
            CLIOutput.error("\(error.message). Use `metajob history list` and `metajob history show RUN` instead.")
            throw CLIExit.invalid
        }
        loop.startBrowser()
        return loop.waitAndFinish()
    }

    /// Opens the dashboard on `live`, a run of another process (`metajob attach`): every control works, `q`
    /// detaches and the run goes on. Returns 0 (detached), or 2 when there is no terminal.
    func attach(_ live: LiveRun) throws -> CLIExit {
        let themes = try resolveThemes()
        guard Self.terminalAvailable(environment) else {
            live.client.close()
            CLIOutput.error("attaching needs a terminal (stdin and stdout a terminal, TERM set and not dumb); over ssh use `ssh -t`. The control verbs (`metajob retry|cancel|pause|stop RUN`) work without one.")
            throw CLIExit.invalid
        }
        let loop = DashboardLoop(mode: .live, themes: themes, session: self, store: try history.open(environment), attached: true)
        do {
            try loop.open()
        } catch {
            live.client.close()
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
        loop.startLive(AttachedRun(client: live.client, startedAt: live.detail.summary.startedAt))
        return loop.waitAndFinish()
    }

    /// Opens a run that has ended read-only from the history, `note` on the status line saying so.
    func showEnded(runId: String, note: String) throws -> CLIExit {
        let themes = try resolveThemes()
        guard Self.terminalAvailable(environment) else {
            CLIOutput.error(note + " Use `metajob history show \(runId)`.")
            throw CLIExit.invalid
        }
        let loop = DashboardLoop(mode: .browser, themes: themes, session: self, store: try history.open(environment))
        do {
            try loop.open()
        } catch {
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
        loop.startPast(runId: runId, note: note)
        return loop.waitAndFinish()
    }

    private func resolveThemes() throws -> [Theme] {
        do {
            return try DashboardThemes.resolve(argument: dashboard.theme, environment: environment)
        } catch {
            CLIOutput.error(error.message)
            throw CLIExit.invalid
        }
    }
}
