/// What `metajob install` wrote into a prefix: its files, and the directories it had to create (uninstall
/// removes those again when they are empty). One `file PATH` or `dir PATH` line each, paths relative to the prefix.
struct Manifest {
    var files: [String] = []
    var directories: [String] = []

    init() {}

    /// Reads a manifest; refuses paths that could leave the prefix, so uninstall never removes outside it.
    init(text: String) throws(Installer.Failure) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw Installer.Failure(text: "unreadable line '\(line)'") }
            let path = parts[1]
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw Installer.Failure(text: "the path '\(path)' leaves the prefix")
            }
            switch parts[0] {
            case "file": files.append(path)
            case "dir": directories.append(path)
            default: throw Installer.Failure(text: "unknown entry '\(parts[0])'")
            }
        }
    }

    /// The manifest's text.
    var text: String {
        "# Written by `metajob install`; `metajob uninstall --prefix PREFIX` removes these.\n"
            + files.map { "file \($0)\n" }.joined() + directories.map { "dir \($0)\n" }.joined()
    }
}
