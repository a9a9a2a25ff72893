#if canImport(Glibc)
import Glibc
#endif

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
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            if text.hasPrefix("VmHWM:") {
                return Int(text.dropFirst(6).filter(\.isNumber))
            }
        }
        return nil
    }
}
