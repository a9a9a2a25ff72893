import Foundation
import Testing
@testable import MetaJobCLI
#if canImport(Glibc)
import Glibc
#endif

/// The background run's end of its dashboard's leash: detach, let go, and a dashboard that dies.
@Suite("leash of a dashboard's background run")
struct LeashTests {
    private final class Count: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.lock(); value += 1; lock.unlock() }
        var current: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    private func pair() throws -> (dashboard: Int32, run: Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0 ..< 400 where !condition() { usleep(5_000) }
        return condition()
    }

    @Test func heldUntilTheDashboardLetsGoThenReleasedOnce() throws {
        let (dashboard, run) = try pair()
        let leash = Leash(fd: run)
        let released = Count()
        leash.whenReleased { released.add() }
        usleep(50_000)
        #expect(leash.state == .held && released.current == 0)
        close(dashboard)
        #expect(eventually { leash.state == .released && released.current == 1 })
        // Asked again after the fact: told at once, still once per ask.
        leash.whenReleased { released.add() }
        #expect(released.current == 2)
    }

    @Test func detachThenCloseIsNotARelease() throws {
        let (dashboard, run) = try pair()
        let leash = Leash(fd: run)
        let released = Count()
        leash.whenReleased { released.add() }
        var byte = UInt8(ascii: "d")
        #expect(write(dashboard, &byte, 1) == 1)
        close(dashboard)
        #expect(eventually { if case .detached = leash.state { true } else { false } })
        usleep(100_000)
        #expect(released.current == 0, "a detached run goes on")
    }

    /// A dashboard killed with SIGKILL: the kernel closes its end, and the run is released (then stopped).
    @Test func aKilledDashboardReleasesTheRun() throws {
        let (dashboard, run) = try pair()
        // The dashboard's end lives only in a child process that is killed.
        var pid: pid_t = 0
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, dashboard, 5)
        let words: [String] = ["/bin/sleep", "30"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/sleep", &actions, nil, argv, environ) == 0)
        posix_spawn_file_actions_destroy(&actions)
        close(dashboard)
        let leash = Leash(fd: run)
        usleep(100_000)
        #expect(leash.state == .held, "the child still holds it")
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(eventually { leash.state == .released })
    }
}
