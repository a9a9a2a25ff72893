#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// With `METAJOB_RESOURCE_REPORT` set, a run ends by printing its own CPU time and peak memory, apart from
/// its jobs' — the figures the benchmarks compare with ninja's.
enum ResourceReport {
    static func print() {
        var own = rusage()
        var jobs = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        getrusage(RUSAGE_CHILDREN.rawValue, &jobs)
        func seconds(_ t: timeval) -> String {
            let ms = Int(t.tv_sec) * 1000 + Int(t.tv_usec) / 1000
            return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)"
        }
        CLIOutput.stderr("metajob resources: user \(seconds(own.ru_utime))s sys \(seconds(own.ru_stime))s "
            + "max_rss \(peakResidentKB() ?? Int(own.ru_maxrss))KB; jobs: user \(seconds(jobs.ru_utime))s sys \(seconds(jobs.ru_stime))s\n")
    }

    /// This process's own peak resident set (VmHWM), in KB. Not `ru_maxrss`: Linux carries that across
    /// `execve`, so a metajob started by posix_spawn (vfork) from a big process reports its parent's peak.
    static func peakResidentKB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst(6).filter(\.isNumber))
    }
}
