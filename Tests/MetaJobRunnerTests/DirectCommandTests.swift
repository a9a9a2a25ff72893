@testable import MetaJobRunner
import Testing

/// Which shell strings run without the shell, and that those that do behave as under it.
struct DirectCommandTests {
    private func words(_ script: String) -> [String]? { DirectCommand.words(ofShellArgv: ["/bin/sh", "-c", script]) }

    @Test func plainWordsRunDirectly() {
        #expect(words("true") == ["true"])
        #expect(words("  python3   etl.py\t--day 2026-11-24 ") == ["python3", "etl.py", "--day", "2026-11-24"])
        #expect(words("./ingest.sh orders") == ["./ingest.sh", "orders"])
    }

    @Test func anythingTheShellInterpretsKeepsTheShell() {
        for script in ["echo $HOME", "a; b", "a && b", "a | b", "a > out", "a < in", "ls *.csv", "ls file?",
                       "ls [ab]", "'quoted'", "\"quoted\"", "a \\\nb", "two\nlines", "cmd # comment", "FOO=1 cmd",
                       "~/bin/x", "(sub)", "{ a; }", "`cmd`", "a & ", "!x", "kill %1", "a^b"] {
            #expect(words(script) == nil, "\(script.debugDescription) needs the shell")
        }
    }

    @Test func builtinsAndKeywordsKeepTheShell() {
        for script in ["exit 3", "cd /tmp", "export A", "echo hi", "pwd", "test -f x", "if", "read x", "umask 022",
                       "printf hi", "kill 1", "false", "exec true", ". ./env", ": nothing"] {
            #expect(words(script) == nil, "\(script.debugDescription) is the shell's own")
        }
    }

    @Test func onlyTheShellFormQualifies() {
        #expect(DirectCommand.words(ofShellArgv: ["/bin/sh", "-c"]) == nil)
        #expect(DirectCommand.words(ofShellArgv: ["/bin/bash", "-c", "true"]) == nil)
        #expect(DirectCommand.words(ofShellArgv: ["true"]) == nil)
        #expect(words("") == nil && words("   ") == nil, "an empty script stays the shell's (it exits 0)")
    }
}
