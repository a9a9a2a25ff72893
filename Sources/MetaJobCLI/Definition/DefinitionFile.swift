import Foundation
import MetaJobCore
import MetaJobRunner

/// Reads and validates a definition for a command, printing problems the way every command does.
///
/// A definition is a YAML or JSON file, a VDK DAG step (`.py`), or a VDK DAG job directory (its step that
/// calls `run_dag`). Files are read with plain `read(2)` until end of file, so a pipe, FIFO or process
/// substitution (`<(cat f.yaml)`) works like a regular file.
enum DefinitionFile {
    /// The file a definition path stands for: the DAG step of a DAG job directory, else the path itself.
    /// Messages and the history name this file.
    static func resolvedPath(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return path }
        return VDKDagJob.step(in: path) ?? path
    }

    /// The definition at `path`, with its directory made absolute; prints the issues and throws exit 2 when invalid.
    static func load(path: String, jsonErrors: Bool = false) throws -> (MetaJobDefinition, [UInt8]) {
        var source = DefinitionSource(path: path)
        var file = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            guard let step = VDKDagJob.step(in: path) else {
                CLIOutput.error("\(path) is a directory without a VDK DAG step (a .py file that calls run_dag or sets "
                                + "JOBS_RUN_ORDER). Give a DAG job directory, its step, or a YAML or JSON meta job definition.")
                throw CLIExit.invalid
            }
            file = step
        }
        if file.lowercased().hasSuffix(".py") {
            let step = file
            let job = VDKDagJob(stepPath: step)
            source = DefinitionSource(path: step, defaultName: job.name, defaultTeam: job.team, directory: job.siblingsDirectory,
                                      evaluatePython: { line in PythonEvaluator.evaluate(stepPath: step, line: line) })
        }
        let bytes: [UInt8]
        switch read(file) {
        case .success(let read): bytes = read
        case .failure(let why):
            CLIOutput.error("cannot read the definition file \(file): \(why). Give the path of a YAML or JSON meta job "
                            + "definition, a VDK DAG step (.py) or a DAG job directory.")
            throw CLIExit.invalid
        }
        return (try load(bytes: bytes, source: source, jsonErrors: jsonErrors), bytes)
    }

    /// Validates `bytes` as if read from `path`.
    static func load(bytes: [UInt8], path: String, jsonErrors: Bool = false) throws -> MetaJobDefinition {
        try load(bytes: bytes, source: DefinitionSource(path: path), jsonErrors: jsonErrors)
    }

    /// Validates `bytes` read from `source`.
    static func load(bytes: [UInt8], source: DefinitionSource, jsonErrors: Bool = false) throws -> MetaJobDefinition {
        let file = source.path ?? "-"
        switch DefinitionLoader.load(bytes: bytes, source: source) {
        case .success(var definition):
            definition.directory = JobResolver.absolute(definition.directory, relativeTo: FileManager.default.currentDirectoryPath)
            return definition
        case .failure(let report):
            if jsonErrors {
                CLIOutput.stdout(IssuePrinter.json(report.issues, file: file))
            } else {
                CLIOutput.stderr(IssuePrinter.plain(report.issues, file: file))
            }
            throw CLIExit.invalid
        }
    }

    /// The whole content of `path`, read until end of file (regular files, pipes, FIFOs, /dev/fd/N alike).
    static func read(_ path: String) -> Result<[UInt8], ReadProblem> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadProblem(errno: errno)) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return .failure(ReadProblem(errno: EISDIR)) }
        var out: [UInt8] = []
        if info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 { out.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { out.append(contentsOf: chunk[0..<n]); continue }
            if n == 0 { return .success(out) }
            if errno == EINTR { continue }
            return .failure(ReadProblem(errno: errno))
        }
    }

    /// Why a definition could not be read, in words.
    struct ReadProblem: Error, CustomStringConvertible {
        var errno: Int32
        var description: String {
            switch errno {
            case ENOENT: return "no such file"
            case EISDIR: return "it is a directory"
            case EACCES, EPERM: return "permission denied"
            default: return String(cString: strerror(errno))
            }
        }
    }
}
