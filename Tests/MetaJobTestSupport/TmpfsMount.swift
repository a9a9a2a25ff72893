import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs of its own, for tests of a full (or read-only) disk. Needs root (and a kernel that lets this
/// process mount): `missingReason` says what is missing, for a loud skip. Unmounted and removed by `remove`
/// (call it in a `defer`), or at the latest when it is released.
public final class TmpfsMount: @unchecked Sendable {
    /// The mount point (a new directory under the temporary directory).
    public let path: String
    private var mounted = true

    /// Why tmpfs tests cannot run here, or nil when they can (tried once, with a real mount).
    public static let missingReason: String? = {
        guard geteuid() == 0 else { return "mounting a tmpfs needs root; these tests run as uid \(geteuid())" }
        do {
            let probe = try TmpfsMount(kibibytes: 64)
            probe.remove()
            return nil
        } catch {
            return "cannot mount a tmpfs here: \(error)"
        }
    }()

    /// Mounts a tmpfs of `kibibytes` (read-only with `readOnly`) on a new directory.
    public init(kibibytes: Int, readOnly: Bool = false) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir
        let options = "size=\(kibibytes)k,mode=0755" + (readOnly ? ",ro" : "")
        let status = TmpfsMount.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir])
        guard status == 0 else {
            rmdir(dir)
            mounted = false
            throw MountError(text: "mount -t tmpfs -o \(options) exited \(status)")
        }
    }

    /// Unmounts (lazily if still busy) and removes the mount point. Safe to call twice.
    public func remove() {
        guard mounted else { return }
        mounted = false
        if TmpfsMount.run("/bin/umount", [path]) != 0 { _ = TmpfsMount.run("/bin/umount", ["-l", path]) }
        rmdir(path)
    }

    deinit { remove() }

    /// Why a mount failed.
    public struct MountError: Error, CustomStringConvertible {
        public var text: String
        public var description: String { text }
    }

    private static func run(_ program: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
