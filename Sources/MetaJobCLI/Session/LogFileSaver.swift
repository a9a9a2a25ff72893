#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MetaJobHistory

/// Writes one attempt's stored output to a new file, bytes exactly as the job wrote them (a newline only where
/// it wrote one), as the dashboard's `s` asks. Never over an existing file: it is created with O_EXCL.
enum LogFileSaver {
    /// Why the file was not written, worded for the footer.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Saves `job`'s `attempt` of `runId` from `store` to `path` (relative to the current directory); returns the
    /// absolute path and the bytes written. A half-written file is removed.
    static func save(store: HistoryStore, runId: String, job: String, attempt: Int, path: String) throws -> (path: String, bytes: Int) {
        var absolute = path
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buffer, buffer.count) != nil {
                let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                absolute = (cwd == "/" ? "" : cwd) + "/" + path
            }
        }
        // Read first: a run or job that is not in the history leaves no empty file behind.
        var last: Int64 = 0
        var batch = try store.logs(runId: runId, job: job, attempt: attempt, after: last, maxBytes: 4 << 20)
        let fd = open(absolute, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            let why = errno == EEXIST ? "it exists (nothing is overwritten): edit the name" : String(cString: strerror(errno))
            throw Problem(description: "not saved to \(absolute): \(why)")
        }
        defer { close(fd) }
        var written = 0
        do {
            while !batch.isEmpty {
                var bytes: [UInt8] = []
                for line in batch {
                    bytes += line.bytes
                    if line.terminated { bytes.append(UInt8(ascii: "\n")) }
                    last = max(last, line.sequence)
                }
                try writeAll(fd, bytes, path: absolute)
                written += bytes.count
                batch = try store.logs(runId: runId, job: job, attempt: attempt, after: last, maxBytes: 4 << 20)
            }
        } catch {
            unlink(absolute)
            throw error
        }
        return (absolute, written)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Problem(description: "not saved to \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
