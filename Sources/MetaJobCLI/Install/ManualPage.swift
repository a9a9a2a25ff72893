import ArgumentParser
import Foundation

/// Writes metajob's manual page (roff, section 1) from the same command definitions `--help` and the shell
/// completions come from: ArgumentParser's help dump of every command, plus the exit codes metajob promises.
enum ManualPage {
    /// Why the page could not be made (ArgumentParser's dump changed shape).
    struct Failure: Error {
        var text: String
    }

    /// The page for `metajob` and all its subcommands.
    static func render(version: String) throws(Failure) -> String {
        let root = try dump()
        var page = Roff()
        page.macro("TH", "METAJOB", "1", "", "metajob \(version)", "User Commands")
        page.macro("SH", "NAME")
        page.raw("metajob \\- " + Roff.escape(plainText(root.abstract ?? "")))
        page.macro("SH", "SYNOPSIS")
        page.raw(".B metajob\n.I command\n[options]")
        page.macro("SH", "DESCRIPTION")
        page.paragraphs(root.abstract ?? "")
        page.text("Each command is described below; metajob help COMMAND and metajob COMMAND --help print the same.")
        page.macro("SH", "COMMANDS")
        for command in root.subcommands ?? [] {
            describe(command, path: ["metajob"], into: &page)
        }
        page.macro("SH", "EXIT STATUS")
        for (code, meaning) in exitCodes {
            page.macro("TP")
            page.raw(".B \(code)")
            page.text(meaning)
        }
        page.macro("SH", "ENVIRONMENT")
        for (name, meaning) in environment {
            page.macro("TP")
            page.raw(".B " + Roff.escape(name))
            page.text(meaning)
        }
        page.macro("SH", "FILES")
        page.macro("TP")
        page.raw(".I " + Roff.escape("$XDG_STATE_HOME/metajob/history.sqlite"))
        page.text("The run history (default ~/.local/state/metajob/history.sqlite), unless METAJOB_HISTORY or --history say otherwise.")
        page.macro("SH", "SEE ALSO")
        page.text("The README of the metajob repository: definition format, dashboard keys, scheduled runs, notifications, metrics.")
        return page.output
    }

    /// What each exit code means (the same promises as `CLIExit` and the README's table).
    static let exitCodes: [(Int32, String)] = [
        (CLIExit.succeeded.rawValue, "The meta job succeeded (failures only in fail_dag_on_error: false jobs count as success)."),
        (CLIExit.failed.rawValue, "The meta job failed."),
        (CLIExit.invalid.rawValue, "Invalid definition, configuration or usage; nothing was started."),
        (CLIExit.hungUp.rawValue, "Stopped by SIGHUP (its terminal closed)."),
        (CLIExit.interrupted.rawValue, "Stopped by SIGINT (Ctrl-C), or stopped from the dashboard."),
        (CLIExit.quit.rawValue, "Stopped by SIGQUIT."),
        (CLIExit.terminated.rawValue, "Stopped by SIGTERM."),
    ]

    /// The environment variables an operator sets most (the README lists all).
    static let environment: [(String, String)] = [
        ("METAJOB_HISTORY", "The history file to record runs in and read them from."),
        ("METAJOB_NOTIFY_ON_FAILURE, METAJOB_NOTIFY_ON_SUCCESS, METAJOB_NOTIFY_ALWAYS",
         "Shell commands to run when a meta job ends (over the definition's notifications)."),
        ("METAJOB_NOTIFY_WEBHOOK", "A URL the run's facts are POSTed to as JSON when a meta job ends."),
    ]

    /// The root command's help dump, decoded.
    private static func dump() throws(Failure) -> HelpDumpCommand {
        // ArgumentParser renders the dump as the "message" of the error its parser throws for the flag.
        let json: String
        do {
            _ = try MetajobCommand.parseAsRoot(["--experimental-dump-help"])
            throw Failure(text: "ArgumentParser did not answer --experimental-dump-help")
        } catch let failure as Failure {
            throw failure
        } catch {
            json = MetajobCommand.message(for: error)
        }
        do {
            let dump = try JSONDecoder().decode(HelpDump.self, from: Data(json.utf8))
            return dump.command
        } catch {
            throw Failure(text: "cannot read ArgumentParser's help dump: \(error)")
        }
    }

    /// One command's section: synopsis, abstract, discussion and options; then its subcommands.
    private static func describe(_ command: HelpDumpCommand, path: [String], into page: inout Roff) {
        guard command.shouldDisplay ?? true, command.commandName != "help" else { return }
        let path = path + [command.commandName]
        let arguments = (command.arguments ?? []).filter { $0.shouldDisplay && !isBuiltIn($0) }
        page.macro("SS", path.joined(separator: " "))
        var synopsis = ".B " + Roff.escape(path.joined(separator: " "))
        for argument in arguments {
            synopsis += "\n" + usage(argument)
        }
        page.raw(synopsis)
        page.macro("PP")
        page.paragraphs(command.abstract ?? "")
        if let discussion = command.discussion { page.paragraphs(discussion) }
        for argument in arguments {
            page.macro("TP")
            page.raw(label(argument))
            var text = argument.abstract ?? ""
            if let values = argument.allValues, !values.isEmpty { text += " (one of: \(values.joined(separator: ", ")))" }
            if let value = argument.defaultValue, argument.kind != "flag" { text += " (default: \(value))" }
            page.text(text.isEmpty ? " " : text)
            if let discussion = argument.discussion { page.paragraphs(discussion) }
        }
        for sub in command.subcommands ?? [] {
            describe(sub, path: path, into: &page)
        }
    }

    /// `--help`, `-h` and `--version` are on every command; the page says so once instead.
    private static func isBuiltIn(_ argument: HelpDumpArgument) -> Bool {
        let names = (argument.names ?? []).map(\.name)
        return names.contains("help") || names.contains("version") || names.contains("experimental-dump-help")
    }

    /// The argument in a synopsis: `[--limit n]`, `file`, `[--job name ...]`.
    private static func usage(_ argument: HelpDumpArgument) -> String {
        var item: String
        if argument.kind == "positional" {
            item = "\\fI" + Roff.escape(argument.valueName ?? "value") + "\\fR"
        } else {
            let name = argument.names?.first { $0.kind == "long" } ?? argument.names?.first
            item = "\\fB" + Roff.escape(name?.spelled ?? "") + "\\fR"
            if argument.kind == "option" { item += " \\fI" + Roff.escape(argument.valueName ?? "value") + "\\fR" }
        }
        if argument.isRepeating { item += " ..." }
        return argument.isOptional ? "[" + item + "]" : item
    }

    /// The argument as a `.TP` label: every spelling in bold, the value in italics.
    private static func label(_ argument: HelpDumpArgument) -> String {
        if argument.kind == "positional" {
            return ".I " + Roff.escape(argument.valueName ?? "value")
        }
        let names = (argument.names ?? []).map { "\\fB" + Roff.escape($0.spelled) + "\\fR" }.joined(separator: ", ")
        let value = argument.kind == "option" ? " \\fI" + Roff.escape(argument.valueName ?? "value") + "\\fR" : ""
        return names + value
    }

    /// Markdown-ish backticks dropped: roff shows text as it is.
    private static func plainText(_ text: String) -> String {
        text.replacingOccurrences(of: "`", with: "")
    }
}
