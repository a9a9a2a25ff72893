#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The base environment of spawned jobs, converted to C strings once, and the lookup of programs on PATH.
///
/// Spawning runs thousands of times a second, so the base block is built once: a job without extra
/// variables reuses it as is, and a job with extra variables only copies the pointers of the base
/// entries it does not override.
final class SpawnEnvironment {
    // "KEY=VALUE" strings of the base environment, owned by this object, with their keys.
    private let baseKeys: [String]
    // Where each base key is in `baseEntries`: a job's few extra variables are looked up here, instead of
    // every base variable being looked up in the job's extras.
    private let baseIndex: [String: Int]
    private let baseEntries: [UnsafeMutablePointer<CChar>]
    // `baseEntries` + NULL, ready to pass as envp when a job adds nothing.
    private let baseBlock: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    // The base PATH split once, for the jobs that do not set their own.
    private let basePathDirectories: [String]

    init(base: [String: String]) {
        var keys: [String] = []
        var entries: [UnsafeMutablePointer<CChar>] = []
        keys.reserveCapacity(base.count)
        entries.reserveCapacity(base.count)
        for (key, value) in base {
            keys.append(key)
            entries.append(strdup("\(key)=\(value)"))
        }
        baseKeys = keys
        baseIndex = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        baseEntries = entries
        baseBlock = .allocate(capacity: entries.count + 1)
        for (index, entry) in entries.enumerated() { baseBlock[index] = entry }
        baseBlock[entries.count] = nil
        basePathDirectories = SpawnEnvironment.split(path: base["PATH"])
    }

    deinit {
        for entry in baseEntries { free(entry) }
        baseBlock.deallocate()
    }

    /// Calls `body` with the NULL-terminated envp of the base environment merged with `extra` (extra wins).
    func withEnvironment<R>(adding extra: [String: String],
                            _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        if extra.isEmpty { return body(baseBlock) }
        let block = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: baseEntries.count + extra.count + 1)
        var overridden = [Bool](repeating: false, count: baseEntries.count)
        for key in extra.keys {
            if let index = baseIndex[key] { overridden[index] = true }
        }
        var count = 0
        for index in baseEntries.indices where !overridden[index] {
            block[count] = baseEntries[index]
            count += 1
        }
        let firstOwned = count
        for (key, value) in extra {
            block[count] = SpawnEnvironment.entry(key, value)
            count += 1
        }
        block[count] = nil
        defer {
            for index in firstOwned..<count { free(block[index]) }
            block.deallocate()
        }
        return body(block)
    }

    /// The path to execute for `program`: itself if it contains a slash, else the first executable
    /// regular file named so on the effective PATH (the job's own PATH if it sets one). Nil if none.
    ///
    /// Resolved here rather than with posix_spawnp, because posix_spawnp searches the runner's PATH,
    /// not the one the job gets.
    func resolve(program: String, extra: [String: String], workingDirectory: String) -> String? {
        // A byte scan: `String.contains(_:)` with a string argument goes through Foundation (CFStringFind),
        // which cost more than the rest of a spawn's bookkeeping.
        if program.utf8.contains(UInt8(ascii: "/")) { return program }
        if program.isEmpty { return nil }
        let directories = extra["PATH"].map { SpawnEnvironment.split(path: $0) } ?? basePathDirectories
        for directory in directories {
            // An empty or relative PATH entry means relative to the job's working directory, where the
            // job will look itself.
            let base = directory.hasPrefix("/") ? directory
                : (directory.isEmpty ? workingDirectory : workingDirectory + "/" + directory)
            let candidate = base.hasSuffix("/") ? base + program : base + "/" + program
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// A malloc'ed "KEY=VALUE" C string, copied straight from the two strings' UTF-8 (no interpolated String).
    private static func entry(_ key: String, _ value: String) -> UnsafeMutablePointer<CChar> {
        let keyCount = key.utf8.count
        let valueCount = value.utf8.count
        let raw = malloc(keyCount + valueCount + 2)!.assumingMemoryBound(to: UInt8.self)
        var index = 0
        for byte in key.utf8 { raw[index] = byte; index += 1 }
        raw[index] = UInt8(ascii: "=")
        index += 1
        for byte in value.utf8 { raw[index] = byte; index += 1 }
        raw[index] = 0
        return UnsafeMutableRawPointer(raw).assumingMemoryBound(to: CChar.self)
    }

    private static func split(path: String?) -> [String] {
        // POSIX: an unset PATH means an implementation-defined default; use the usual one.
        guard let path else { return ["/usr/local/bin", "/usr/bin", "/bin"] }
        return path.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    }
}
