import ArgumentParser

/// `metajob uninstall`: removes what `metajob install` wrote under a prefix, from its manifest.
struct UninstallCLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove exactly what `metajob install` wrote under a prefix (listed in its manifest).")

    @Option(name: .long, help: "The prefix metajob was installed under.")
    var prefix: String = "/usr/local"

    func run() throws {
        do {
            for path in try Installer(prefix: prefix).uninstall() {
                CLIOutput.stdout("removed \(path)\n")
            }
        } catch {
            CLIOutput.error(error.text)
            throw CLIExit.invalid
        }
    }
}
