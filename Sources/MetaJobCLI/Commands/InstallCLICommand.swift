import ArgumentParser
import Foundation

/// `metajob install`: copies this metajob into PREFIX/bin with its manual page and shell completions.
struct InstallCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install this metajob, its manual page and its bash/zsh/fish completions under a prefix.",
        discussion: """
            Writes PREFIX/bin/metajob, PREFIX/share/man/man1/metajob.1, the completions in \
            PREFIX/share/{bash-completion/completions,zsh/site-functions,fish/vendor_completions.d} and a manifest \
            (PREFIX/share/metajob/install-manifest) that `metajob uninstall` removes exactly. Build it first with \
            `swift build -c release`, then run `.build/release/metajob install`.
            """)

    @Option(name: .long, help: "Where to install: ~/.local for the current user, /usr/local system-wide.")
    var prefix: String = "/usr/local"

    func run() throws {
        do {
            let installer = try Installer(prefix: prefix)
            let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            for path in try installer.install(executable: executable, version: MetajobCommand.version) {
                CLIOutput.stdout("installed \(path)\n")
            }
        } catch let failure as Installer.Failure {
            CLIOutput.error(failure.text)
            throw CLIExit.invalid
        }
    }
}
