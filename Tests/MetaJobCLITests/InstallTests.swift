import Foundation
import Testing

/// `metajob install` / `uninstall` with the debug binary the suite built, into a temporary prefix.
@Suite("install and uninstall into a temporary prefix")
struct InstallTests {
    /// Runs `command` with /bin/sh; returns its exit code and combined output.
    static func shell(_ command: String, environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func has(_ tool: String) -> Bool {
        (try? shell("command -v \(tool)").0) == 0
    }

    /// Every path under `root`, relative.
    static func contents(_ root: String) -> [String] {
        (FileManager.default.subpaths(atPath: root) ?? []).sorted()
    }

    @Test func installRunsLoadsAndUninstallLeavesThePrefixEmpty() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-install-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: prefix) }

        let installed = try BinaryRunner.run(["install", "--prefix", prefix])
        #expect(installed.exitCode == 0, "install failed: \(installed.stderr)")
        for path in ["bin/metajob", "share/man/man1/metajob.1", "share/bash-completion/completions/metajob",
                     "share/zsh/site-functions/_metajob", "share/fish/vendor_completions.d/metajob.fish",
                     "share/metajob/install-manifest"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "missing \(path)")
            #expect(installed.stdout.contains("installed \(prefix)/\(path)"))
        }

        // The installed copy runs on its own.
        let (versionCode, version) = try Self.shell("'\(prefix)/bin/metajob' --version")
        #expect(versionCode == 0)
        #expect(version.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let (helpCode, help) = try Self.shell("'\(prefix)/bin/metajob' history --help")
        #expect(helpCode == 0 && help.contains("prune"))

        // The page is made from the command definitions: every command and its options are in it.
        let page = try String(contentsOfFile: prefix + "/share/man/man1/metajob.1", encoding: .utf8)
        #expect(page.hasPrefix(".TH METAJOB 1"))
        for needle in [".SS \"metajob run\"", ".SS \"metajob history prune\"", "\\-\\-max\\-concurrent", "\\-\\-older\\-than",
                       ".SS \"metajob uninstall\"", ".SH \"EXIT STATUS\""] {
            #expect(page.contains(needle), "the page lacks \(needle)")
        }
        if Self.has("man") && Self.has("groff") {
            let (code, rendered) = try Self.shell("man -l '\(prefix)/share/man/man1/metajob.1' 2>&1",
                                                  environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100"])
            #expect(code == 0, "man -l failed: \(rendered)")
            #expect(rendered.contains("metajob history prune"))
            #expect(rendered.contains("--older-than"), "man renders \\- as a plain hyphen")
            #expect(!rendered.contains("warning"), "groff warned: \(rendered)")
        } else {
            print("SKIPPED: man -l rendering of the page: `man` or `groff` is not installed (apt-get install man-db groff-base)")
        }

        // bash loads the completion and registers it for metajob.
        if Self.has("bash") {
            let (code, out) = try Self.shell(
                "bash -c \"source '\(prefix)/share/bash-completion/completions/metajob' && complete -p metajob\"")
            #expect(code == 0, "the bash completion did not load: \(out)")
            #expect(out.contains("metajob"))
        } else {
            print("SKIPPED: loading the bash completion: bash is not installed")
        }
        let fish = try String(contentsOfFile: prefix + "/share/fish/vendor_completions.d/metajob.fish", encoding: .utf8)
        #expect(fish.contains("complete -c 'metajob'"))
        let zsh = try String(contentsOfFile: prefix + "/share/zsh/site-functions/_metajob", encoding: .utf8)
        #expect(zsh.hasPrefix("#compdef metajob"))

        // A second install over the first (an upgrade) keeps one manifest that uninstall still honours.
        #expect(try BinaryRunner.run(["install", "--prefix", prefix]).exitCode == 0)

        // Something of the user's beside it survives uninstall.
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try "mine".write(toFile: prefix + "/bin/other-tool", atomically: true, encoding: .utf8)
        let removed = try BinaryRunner.run(["uninstall", "--prefix", prefix])
        #expect(removed.exitCode == 0, "uninstall failed: \(removed.stderr)")
        #expect(Self.contents(prefix) == ["bin", "bin/other-tool"])
        try FileManager.default.removeItem(atPath: prefix + "/bin/other-tool")
        // Installing into the now empty prefix and uninstalling leaves it empty.
        #expect(try BinaryRunner.run(["install", "--prefix", prefix]).exitCode == 0)
        #expect(try BinaryRunner.run(["uninstall", "--prefix", prefix]).exitCode == 0)
        #expect(Self.contents(prefix) == ["bin"], "bin was there before this install, so it stays")
    }

    @Test func uninstallWithoutAnInstallationSaysSoAndRemovesNothing() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-install-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        try "x".write(toFile: prefix + "/bin/metajob", atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(["uninstall", "--prefix", prefix])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("no metajob installation in \(prefix)"))
        #expect(FileManager.default.fileExists(atPath: prefix + "/bin/metajob"))
    }

    @Test func relativePrefixIsRefused() throws {
        let result = try BinaryRunner.run(["install", "--prefix", "relative/dir"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--prefix must be an absolute directory"))
    }
}
