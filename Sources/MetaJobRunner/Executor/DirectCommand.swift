/// Decides when a shell command string can run without the shell: what GNU make does for its recipes.
///
/// `/bin/sh -c 'python3 etl.py --day 2026-11-24'` costs a shell's start for nothing; splitting on blanks
/// and spawning `python3` directly gives the same process, arguments, environment and exit status. Only
/// a plain list of words qualifies: anything the shell would interpret (quotes, `$`, globs, redirections,
/// `;`, `&`, `|`, comments, assignments, `~`, backslashes, newlines) or a first word that is a shell
/// builtin or keyword keeps the shell. The caller also keeps the shell when the program is not on PATH,
/// so "command not found" reads as the shell's (exit 127), as before.
enum DirectCommand {
    /// Bytes the shell gives a meaning to (make's list, plus `=` for assignments and `%` for job specs).
    private static let special: Set<UInt8> = Set("#;\"'*?[]&|<>(){}$`^~!\\\n\r=%".utf8)
    /// First words that are shell builtins or keywords (or whose builtin differs from the program of that name).
    private static let shellWords: Set<String> = [
        ".", ":", "alias", "bg", "break", "case", "cd", "command", "continue", "do", "done", "echo", "elif",
        "else", "esac", "eval", "exec", "exit", "export", "false", "fc", "fg", "fi", "for", "getopts", "hash",
        "if", "jobs", "kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test",
        "then", "times", "trap", "type", "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
    ]

    /// The words of `argv` when it is `/bin/sh -c SCRIPT` and SCRIPT is a plain list of words that needs
    /// no shell; nil otherwise.
    static func words(ofShellArgv argv: [String]) -> [String]? {
        guard argv.count == 3, argv[0] == "/bin/sh", argv[1] == "-c" else { return nil }
        let script = argv[2]
        var words: [String] = []
        var current: [UInt8] = []
        for byte in script.utf8 {
            if special.contains(byte) { return nil }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)); current = [] }
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        guard let first = words.first, !shellWords.contains(first) else { return nil }
        return words
    }
}
