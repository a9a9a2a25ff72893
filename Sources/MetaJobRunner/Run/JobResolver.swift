import Foundation
import MetaJobCore

/// Resolves each job's executor, argv and working directory, checking the file system for VDK job directories.
///
/// This is the one validation step that needs the file system, so it lives here and not in the pure core.
public enum JobResolver {
    /// Resolves every job of `definition` (whose `directory` must be absolute). `defaultExecutor` is the
    /// meta job's executor after flags and environment; `localRunJobPath` is `DAGS_LOCAL_RUN_JOB_PATH`.
    /// A data job directory is looked for as VDK's local executor looks: in `currentDirectory` first, then in
    /// each `DAGS_LOCAL_RUN_JOB_PATH` entry (relative ones against `currentDirectory`); then, metajob's
    /// addition, beside the definition.
    public static func resolve(_ definition: MetaJobDefinition, defaultExecutor: ExecutorKind,
                               localRunJobPath: String?,
                               currentDirectory: String = FileManager.default.currentDirectoryPath)
        -> Result<[ResolvedJob], ValidationReport> {
        var resolved: [ResolvedJob] = []
        var issues: [ValidationIssue] = []
        resolved.reserveCapacity(definition.jobs.count)
        let searchPath = searchDirectories(definition: definition, localRunJobPath: localRunJobPath,
                                           currentDirectory: currentDirectory)
        var isDirectoryCache: [String: Bool] = [:]
        // Jobs mostly share a few working directories (usually the definition's): fold each one once, not once
        // per job (on DAG10K: ~10 ms of the ~60 ms between reading the file and starting the first job, per perf).
        var workingDirectories: [String: String] = [:]
        for job in definition.jobs {
            let executor = job.executor ?? defaultExecutor
            let given = job.workingDirectory ?? definition.directory
            let workingDirectory: String
            if let known = workingDirectories[given] {
                workingDirectory = known
            } else {
                workingDirectory = absolute(given, relativeTo: definition.directory)
                workingDirectories[given] = workingDirectory
            }
            if executor == .remote || job.command != nil {
                resolved.append(ResolvedJob(definition: job, executor: executor, argv: job.command?.argv ?? [],
                                            workingDirectory: workingDirectory))
                continue
            }
            // A local job without a command is a VDK data job directory named after the job.
            var found: String?
            for dir in searchPath {
                let candidate = absolute(job.name, relativeTo: dir)
                if isDirectory(candidate, cache: &isDirectoryCache) { found = candidate; break }
            }
            guard let jobDirectory = found else {
                issues.append(ValidationIssue(
                    kind: .requirement, jobs: [job.name],
                    reason: "Job \(job.name) has no `command` and no data job directory named `\(job.name)` was found. "
                        + "Searched (in this order): \(searchPath.joined(separator: ", ")).",
                    countermeasure: "Add a `command` to the job, run metajob from the directory that holds `\(job.name)`, "
                        + "or add that directory to DAGS_LOCAL_RUN_JOB_PATH.",
                    line: job.line))
                continue
            }
            var argv = ["vdk", "run", jobDirectory]
            // VDK passes --arguments only when there are some (`if arguments:`), as json.dumps writes them.
            if let arguments = job.arguments, arguments != .object([]) { argv += ["--arguments", arguments.jsonText] }
            let directory = job.workingDirectory == nil ? definition.directory : workingDirectory
            resolved.append(ResolvedJob(definition: job, executor: executor, argv: argv, workingDirectory: directory,
                                        vdkJobDirectory: jobDirectory))
        }
        return issues.isEmpty ? .success(resolved) : .failure(ValidationReport(issues: issues))
    }

    /// Where data job directories are looked for, in order, each directory once: the current directory,
    /// `DAGS_LOCAL_RUN_JOB_PATH`'s entries (relative ones against the current directory, as VDK's
    /// `os.path.join` does), then the definition's directory.
    public static func searchDirectories(definition: MetaJobDefinition, localRunJobPath: String?,
                                         currentDirectory: String) -> [String] {
        var out: [String] = []
        var seen: Set<String> = []
        let entries = (localRunJobPath ?? "").split(separator: ":").map { absolute(String($0), relativeTo: currentDirectory) }
        for dir in [absolute(currentDirectory, relativeTo: "/")] + entries + [absolute(definition.directory, relativeTo: currentDirectory)]
            where seen.insert(dir).inserted {
            out.append(dir)
        }
        return out
    }

    /// `path` made absolute against `base`, with `.` and `..` segments folded.
    public static func absolute(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base + path : base + "/" + path)
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func isDirectory(_ path: String, cache: inout [String: Bool]) -> Bool {
        if let known = cache[path] { return known }
        var isDir: ObjCBool = false
        let result = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
        cache[path] = result
        return result
    }
}
