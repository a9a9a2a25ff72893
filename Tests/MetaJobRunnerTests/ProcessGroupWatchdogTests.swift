import CMetajobSys
import MetaJobRunner
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The watchdog reads the live groups from the table it shares with metajob: what is registered when metajob's
/// end closes gets stopped, what was unregistered keeps running, and a freed slot serves the next group.
@Suite("process-group watchdog")
struct ProcessGroupWatchdogTests {
    /// Starts `sleep 30` as the leader of its own group (pgid == pid), with its pipes closed on our side.
    func startSleeper(_ spawner: OpaquePointer) throws -> pid_t {
        let arguments = ["sleep", "30"]
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
        defer {
            for index in arguments.indices { free(argv[index]) }
            argv.deallocate()
        }
        for (index, argument) in arguments.enumerated() { argv[index] = strdup(argument) }
        argv[arguments.count] = nil
        var child = metajob_child()
        let rc = metajob_spawn(spawner, "/bin/sleep", argv, environ, nil, &child)
        try #require(rc == 0, "cannot start /bin/sleep: \(String(cString: strerror(rc)))")
        close(child.stdout_fd)
        close(child.stderr_fd)
        return child.pid
    }

    /// How `pid` (our child) ended: the signal that killed it, or nil if it exited normally.
    func reapSignal(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        guard metajob_reap(pid, &status) == 0 else { return nil }
        var code: Int32 = 0
        return metajob_decode_status(status, &code) == 2 ? code : nil
    }

    @Test func stopsTheRegisteredGroupsOnlyAndReusesFreedSlots() throws {
        let spawner = try #require(metajob_spawner_create())
        defer { metajob_spawner_destroy(spawner) }
        let watchdog = try ProcessGroupWatchdog(graceSeconds: 0.2)
        let kept = try startSleeper(spawner)
        defer {
            kill(-kept, SIGKILL)
            _ = reapSignal(kept)
        }
        let first = try startSleeper(spawner)
        let second = try startSleeper(spawner)
        watchdog.register(group: kept)
        watchdog.register(group: first)
        watchdog.unregister(group: kept)
        // Takes the slot `kept` freed: it must still be found when the watchdog stops the groups.
        watchdog.register(group: second)

        // As when metajob dies: its end of the socket closes, the watchdog stops what the table lists.
        watchdog.close()

        #expect(reapSignal(first) == SIGTERM)
        #expect(reapSignal(second) == SIGTERM)
        #expect(metajob_has_exited(kept) == 0, "a group unregistered before the end was stopped by the watchdog")
    }
}
