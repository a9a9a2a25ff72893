import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The tests' cleanup kills only their own leftovers: a pid that another test's process has taken since is
/// spared.
struct ProcessProbeTests {
    @Test func aLeftoverIsKilledOnlyWhereTheTestRanIt() throws {
        let mine = try BinaryRunner.directory([:])
        let elsewhere = try BinaryRunner.directory([:])
        defer {
            try? FileManager.default.removeItem(atPath: mine)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        sleeper.currentDirectoryURL = URL(fileURLWithPath: elsewhere)
        try sleeper.run()
        defer { if sleeper.isRunning { kill(sleeper.processIdentifier, SIGKILL) } }
        let pid = sleeper.processIdentifier
        ProcessProbe.killLeftover(pid, group: false, workingIn: mine)
        usleep(100_000)
        #expect(sleeper.isRunning, "a process working elsewhere is someone else's")
        ProcessProbe.killLeftover(pid, group: false, workingIn: elsewhere)
        #expect(ProcessProbe.waitForExit(sleeper, seconds: 5), "the test's own leftover is killed")
    }
}
