import CMetajobSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where this user's runs put their control sockets: `$XDG_RUNTIME_DIR/metajob/`, else `metajob-<uid>` under
/// the temp directory. The directory must be ours and 0700 (made so if missing); one that is not — another
/// user's, a symlink, group- or world-accessible — is refused, never used.
public enum ControlDirectory {
    /// Why no socket can be served.
    public struct Problem: Error, Sendable {
        /// What is wrong and what to do, for the user.
        public var message: String
    }

    /// The directory for `environment` (not created): `$XDG_RUNTIME_DIR/metajob` when that runtime directory exists
    /// and is ours, else `metajob-<uid>` under `$TMPDIR` or `/tmp`.
    public static func path(environment: [String: String]) -> String {
        // A runtime directory that is missing or not ours (XDG_RUNTIME_DIR kept across `su`) is passed over.
        var info = stat()
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"), stat(runtime, &info) == 0,
           info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() {
            return runtime + "/metajob"
        }
        var temp = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        while temp.count > 1 && temp.hasSuffix("/") { temp.removeLast() }
        return temp + "/metajob-\(geteuid())"
    }

    /// The socket path of run `runId`.
    public static func socketPath(runId: String, environment: [String: String]) -> String {
        path(environment: environment) + "/" + runId + ".sock"
    }

    /// Makes the directory (0700) if it is missing and checks it is private and ours.
    public static func prepare(_ directory: String) throws(Problem) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw Problem(message: "cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(directory, &info) == 0 else {
            throw Problem(message: "cannot read \(directory): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw Problem(message: "\(directory) is not a directory") }
        guard info.st_uid == geteuid() else {
            throw Problem(message: "\(directory) belongs to another user (uid \(info.st_uid))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw Problem(message: "\(directory) is open to other users (mode \(String(info.st_mode & 0o777, radix: 8)))")
        }
    }

    /// True when `path` is a socket that nothing listens on any more (its process is gone): such a socket
    /// is stale and may be removed. A socket that answers, or a path that is not a socket, is not stale.
    public static func isStale(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return false }
        let fd = metajob_unix_connect(path)
        if fd >= 0 {
            close(fd)
            return false
        }
        return -fd == ECONNREFUSED
    }

    /// True when a run answers at `path` (a detached run that ended answers while it lingers).
    public static func isLive(_ path: String) -> Bool {
        let fd = metajob_unix_connect(path)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// Removes the stale sockets in `directory` (left by runs that were killed): each new run sweeps, so they
    /// never pile up. Returns how many were removed.
    @discardableResult
    public static func removeStale(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".sock") && removeIfStale(directory + "/" + $0) }.count
    }

    /// Removes `path` if it is a stale socket of ours. Returns true when it was removed.
    @discardableResult
    public static func removeIfStale(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_uid == geteuid(), isStale(path) else { return false }
        return unlink(path) == 0
    }
}
