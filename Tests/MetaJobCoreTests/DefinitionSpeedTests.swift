import Testing
import Yams
@testable import MetaJobCore
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway timing harness, off unless METAJOB_SPEED=1 (timings are not asserted: machines differ).
/// Run: METAJOB_SPEED=1 swift test -c release --filter DefinitionSpeedTests
@Suite struct DefinitionSpeedTests {
    static var enabled: Bool { getenv("METAJOB_SPEED") != nil }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// CPU time of this thread: other processes competing for the cores do not inflate it.
    static func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func peakRSSMB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    @Test(.enabled(if: DefinitionSpeedTests.enabled)) func hundredThousandJobs() {
        let n = 100_000
        var yaml = "jobs:\n"
        var json = "{\"jobs\": [\n"
        for i in 0..<n {
            let a = i > 0 ? i / 2 : 0, b = i > 1 ? i - 1 : 0
            let deps = i == 0 ? "" : "j\(a), j\(b)"
            let jdeps = i == 0 ? "" : "\"j\(a)\", \"j\(b)\""
            yaml += "  - {job_name: j\(i), depends_on: [\(deps)], command: \"true\"}\n"
            json += "  {\"job_name\": \"j\(i)\", \"depends_on\": [\(jdeps)], \"command\": \"true\"}\(i < n - 1 ? "," : "")\n"
        }
        json += "]}\n"
        var blockYAML = "jobs:\n"
        for i in 0..<n {
            blockYAML += "  - job_name: j\(i)\n    depends_on: [\(i == 0 ? "" : "j\(i / 2), j\(max(i - 1, 0))")]\n"
                + "    command: \"true\"\n"
        }
        for (label, text, path) in [("json", json, "big.json"), ("json-no-ext", json, "big"),
                                    ("yaml-flow-items", yaml, "big.yaml"), ("yaml-block", blockYAML, "big.yaml")] {
            if let only = getenv("METAJOB_SPEED_ONLY"), String(cString: only) != label { continue }
            let bytes = Array(text.utf8)
            let start = Self.now(), cpuStart = Self.cpu()
            let result = DefinitionLoader.load(bytes: bytes, path: path)
            let elapsed = Self.now() - start, cpuElapsed = Self.cpu() - cpuStart
            let t0 = Self.now()
            _ = DefinitionLoader.parse(bytes: bytes, path: path)
            let t1 = Self.now()
            if path == "big.yaml" {
                _ = try? Yams.compose(yaml: text, .basic, .default, .utf8)
                print("SPEED   compose only: \(String(format: "%.3f", Self.now() - t1)) s")
            }
            print("SPEED   parse only: \(String(format: "%.3f", t1 - t0)) s")
            if case .failure(let r) = result { Issue.record("\(label): \(r.issues.prefix(3))") }
            #expect((try? result.get())?.jobs.count == n, "\(label): every job loads")
            print("SPEED \(label): \(bytes.count) bytes, \(String(format: "%.3f", elapsed)) s wall, \(String(format: "%.3f", cpuElapsed)) s CPU, peak RSS so far "
                + "\(String(format: "%.0f", Self.peakRSSMB())) MB")
        }
    }
}
