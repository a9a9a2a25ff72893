import Foundation
import Testing

/// `metajob run --no-tui --logs` with remote jobs (the real binary, a loopback Control Service): printed
/// logs are watched logs, read while the job runs; without `--logs` each job's logs are read once, at its end.
@Suite("remote logs through the binary")
struct RemoteLogsCLITests {
    typealias Service = RemoteCLITests.LoopbackControlService

    static func logsReads(_ service: Service, job: String) -> Int {
        service.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/logs") && $0.path.contains("/jobs/\(job)/") }.count
    }

    static func environment(_ service: Service, dir: String) -> [String: String] {
        var env = RemoteCLITests.environment(service, history: dir + "/h.sqlite")
        env["VDK_API_TOKEN"] = ""
        return env
    }

    @Test func withLogsARunningJobsLogsAreReadWhileItRunsAndPrintedOnce() async throws {
        let service = try await Service(runSeconds: ["extract": 2.0, "load": 0.1], logs: "rows so far: 42\n")
        let dir = try BinaryRunner.directory(["p.yaml": RemoteCLITests.pipeline])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await RemoteCLITests.run(["run", "p.yaml", "--no-tui", "--executor", "remote", "--logs"], in: dir,
                                                  environment: Self.environment(service, dir: dir))
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        // 2 s at a 0.05 s interval: a read every 0.05 s while it runs (however few a loaded machine manages),
        // then the final one; all of them before load starts, which waits for extract's end.
        let loadStart = try #require(service.requests.firstIndex { $0.method == "POST" && $0.path.contains("/jobs/load/") })
        let reads = service.requests[..<loadStart].filter { $0.path.hasSuffix("/logs") && $0.path.contains("/jobs/extract/") }.count
        #expect(reads >= 2, "\(reads) reads of extract's logs: none while it ran")
        let printed = result.stdout.components(separatedBy: "\n").filter { $0.contains("rows so far: 42") }
        #expect(printed.count == 2, "each job's line printed once, however often it was read: \(printed)")
        await service.stop()
    }

    @Test func withoutLogsEachJobsLogsAreReadOnceAtItsEnd() async throws {
        let service = try await Service(runSeconds: ["extract": 1.0, "load": 0.1])
        let dir = try BinaryRunner.directory(["p.yaml": RemoteCLITests.pipeline])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await RemoteCLITests.run(["run", "p.yaml", "--no-tui", "--executor", "remote"], in: dir,
                                                  environment: Self.environment(service, dir: dir))
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(Self.logsReads(service, job: "extract") == 1 && Self.logsReads(service, job: "load") == 1)
        await service.stop()
    }
}
