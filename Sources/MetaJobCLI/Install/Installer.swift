import ArgumentParser
import Foundation

/// Installs the running metajob into a prefix (binary, manual page, bash/zsh/fish completions) and removes
/// exactly that again, from a manifest it writes next to them. Completions and the page are generated from the
/// command definitions, never written by hand.
struct Installer {
    /// Why installing or uninstalling stopped, worded for the user.
    struct Failure: Error {
        var text: String
    }

    /// An absolute directory (`/usr/local`, `~/.local`).
    let prefix: String

    /// The files install writes, relative to the prefix (the manifest is written last).
    static let binary = "bin/metajob"
    static let manualPage = "share/man/man1/metajob.1"
    static let completions: [(CompletionShell, String)] = [
        (.bash, "share/bash-completion/completions/metajob"),
        (.zsh, "share/zsh/site-functions/_metajob"),
        (.fish, "share/fish/vendor_completions.d/metajob.fish"),
    ]
    static let manifest = "share/metajob/install-manifest"

    init(prefix: String) throws(Failure) {
        let expanded = NSString(string: prefix).expandingTildeInPath
        guard expanded.hasPrefix("/") else {
            throw Failure(text: "--prefix must be an absolute directory (for example ~/.local or /usr/local), not '\(prefix)'")
        }
        self.prefix = URL(fileURLWithPath: expanded).standardizedFileURL.path
    }

    /// Copies `executable` and writes the page and completions; returns the absolute paths written.
    func install(executable: String, version: String) throws(Failure) -> [String] {
        // Everything is generated before anything is written: a failing generator leaves the prefix untouched.
        var contents: [(String, Data, Int)] = []
        do {
            contents.append((Self.binary, try Data(contentsOf: URL(fileURLWithPath: executable)), 0o755))
        } catch {
            throw Failure(text: "cannot read the running metajob at \(executable): \(error.localizedDescription)")
        }
        let page: String
        do {
            page = try ManualPage.render(version: version)
        } catch {
            throw Failure(text: "cannot generate the manual page: \(error.text)")
        }
        contents.append((Self.manualPage, Data(page.utf8), 0o644))
        for (shell, path) in Self.completions {
            let script = MetajobCommand.completionScript(for: shell)
            guard !script.isEmpty else { throw Failure(text: "ArgumentParser generated an empty \(shell) completion") }
            contents.append((path, Data(script.utf8), 0o644))
        }

        var previous = (try? readManifest()) ?? Manifest()
        var createdDirectories = previous.directories
        for path in contents.map(\.0) + [Self.manifest] {
            for directory in try makeParents(of: path) where !createdDirectories.contains(directory) {
                createdDirectories.append(directory)
            }
        }
        var written: [String] = []
        for (path, data, mode) in contents {
            try write(data, to: path, mode: mode)
            written.append(absolute(path))
        }
        previous.files = contents.map(\.0)
        previous.directories = createdDirectories
        try write(Data(previous.text.utf8), to: Self.manifest, mode: 0o644)
        written.append(absolute(Self.manifest))
        return written
    }

    /// Removes every file the manifest lists, then the directories install created when they are empty.
    /// Returns the absolute paths removed.
    func uninstall() throws(Failure) -> [String] {
        let manifest = try readManifest()
        var removed: [String] = []
        for path in manifest.files + [Self.manifest] {
            let full = absolute(path)
            if (try? FileManager.default.attributesOfItem(atPath: full)) != nil {
                do {
                    try FileManager.default.removeItem(atPath: full)
                } catch {
                    throw Failure(text: "cannot remove \(full): \(error.localizedDescription)")
                }
                removed.append(full)
            }
        }
        // Deepest first; a directory someone else put files in stays (rmdir refuses a non-empty one).
        for directory in manifest.directories.sorted(by: { $0.count > $1.count }) {
            let full = absolute(directory)
            if rmdir(full) == 0 { removed.append(full) }
        }
        return removed
    }

    private func absolute(_ path: String) -> String {
        path == "." ? prefix : prefix + "/" + path
    }

    /// Creates the missing directories above `path`; returns those it created, outermost first.
    private func makeParents(of path: String) throws(Failure) -> [String] {
        var created: [String] = []
        var current = ""
        var components = path.split(separator: "/").map(String.init)
        components.removeLast()
        if !FileManager.default.fileExists(atPath: prefix) {
            do {
                try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
            } catch {
                throw Failure(text: "cannot create \(prefix): \(error.localizedDescription)")
            }
            created.append(".")
        }
        for component in components {
            current = current.isEmpty ? component : current + "/" + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: absolute(current), isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw Failure(text: "\(absolute(current)) is not a directory") }
                continue
            }
            do {
                try FileManager.default.createDirectory(atPath: absolute(current), withIntermediateDirectories: false)
            } catch {
                throw Failure(text: "cannot create \(absolute(current)): \(error.localizedDescription)")
            }
            created.append(current)
        }
        return created
    }

    /// Writes through a temporary file and a rename, so a running metajob being replaced keeps its old file.
    private func write(_ data: Data, to path: String, mode: Int) throws(Failure) {
        let target = absolute(path)
        let temporary = target + ".installing-\(getpid())"
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary)
            guard rename(temporary, target) == 0 else {
                throw Failure(text: "cannot replace \(target): \(String(cString: strerror(errno)))")
            }
        } catch let failure as Failure {
            try? FileManager.default.removeItem(atPath: temporary)
            throw failure
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure(text: "cannot write \(target): \(error.localizedDescription)")
        }
    }

    private func readManifest() throws(Failure) -> Manifest {
        let path = absolute(Self.manifest)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(text: "no metajob installation in \(prefix) (no \(path)); nothing removed. "
                + "Give the --prefix it was installed with.")
        }
        do {
            return try Manifest(text: text)
        } catch {
            throw Failure(text: "\(path) is damaged (\(error.text)); nothing removed")
        }
    }
}
