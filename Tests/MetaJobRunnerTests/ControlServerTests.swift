import CMetajobSys
import Foundation
import Testing
import MetaJobCore
@testable import MetaJobRunner
import MetaJobTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real run served on a real Unix socket: a client in this process sees it and steers it as the dashboard
/// would, hostile clients end only themselves, other users are kept out, and stale sockets are recognised.
@Suite("Control server", .serialized)
struct ControlServerTests {
    /// A fresh private directory (0700) for one test's socket.
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "metajob-control-\(UUID().uuidString.prefix(8))"
        try ControlDirectory.prepare(path)
        return path
    }

    static func remove(_ directory: String) { try? FileManager.default.removeItem(atPath: directory) }

    /// A raw connection (blocking), or nil.
    static func rawConnect(_ path: String) -> Int32? {
        let fd = metajob_unix_connect(path)
        return fd >= 0 ? fd : nil
    }

    static func send(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { metajob_send_blocking(fd, $0.baseAddress, UInt($0.count)) } == bytes.count
    }

    /// Reads until the server closes (or 5 s pass); returns what it sent.
    static func readToEnd(_ fd: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[0 ..< n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Waits (up to 5 s) until `condition` holds.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// `sync` is answered only after the run's history writer has run (a dashboard saving a log reads the
    /// history right after); a run without one refuses, saying so.
    @Test func syncIsAnsweredAfterTheHistoryIsWritten() throws {
        let dir = try Self.directory()
        defer { Self.remove(dir) }
        let (runner, _) = TestRun.make([TestRun.job("only", [], "sleep 5")])
        let server = try ControlServer(connection: runner, runId: runner.info.runId, path: dir + "/run.sock")
        defer { server.close() }
        let client = try ControlClient(path: server.path, client: "test")
        defer { client.close() }
        #expect(client.syncHistory(timeout: 5) == .refused("this run keeps no history"))
        let written = RequestLog()
        server.answerSync {
            usleep(200_000)  // A slow write: the answer must wait for it.
            written.add(ControlRequest(command: .pause, client: "sync", user: "", reply: .accepted))
        }
        #expect(client.syncHistory(timeout: 5) == .accepted)
        #expect(written.all.count == 1, "answered only once the history was written")
    }

    @Test func aClientWatchesAndRetriesARunInAnotherThreadsSocket() throws {
        let dir = try Self.directory()
        defer { Self.remove(dir) }
        let marker = dir + "/flaky-ran"
        // Fails the first time, succeeds once retried.
        let (runner, rec) = TestRun.make([TestRun.job("first", [], "echo hello"),
                                          TestRun.job("flaky", ["first"], "test -e \(marker) || { touch \(marker); exit 3; }")])
        let requests = RequestLog()
        let server = try ControlServer(connection: runner, runId: runner.info.runId, path: dir + "/run.sock") { requests.add($0) }
        defer { server.close() }
        var info = stat()
        #expect(stat(dir + "/run.sock", &info) == 0 && info.st_mode & 0o777 == 0o600, "the socket is the owner's alone")
        #expect(stat(dir, &info) == 0 && info.st_mode & 0o777 == 0o700)

        let client = try ControlClient(path: server.path, client: "dashboard")
        defer { client.close() }
        #expect(client.isRemote && client.runId == runner.info.runId)
        let watched = RunEvents()
        try client.subscribe(watched)
        runner.start()
        let failed = watched.waitForFinish(seconds: 20)
        #expect(failed)
        #expect(client.currentSnapshot.phase == .finished(.failed))
        #expect(client.sendAndWait(.retry(job: 0)) == .refused("first is succeeded: only a failed, cancelled or not-run job can be retried"))
        #expect(client.sendAndWait(.retry(job: 1)) == .accepted)
        #expect(Self.eventually { client.currentSnapshot.phase == .finished(.succeeded) }, "the retry ran over the socket")
        #expect(rec.events.count == watched.events.count, "the client saw every event the runner published")
        #expect(client.currentSnapshot.jobs.map(\.state) == runner.snapshot().jobs.map(\.state))
        #expect(client.currentSnapshot.sequence == runner.snapshot().sequence)
        #expect(requests.all.contains { $0.command == .retry(job: 1) && $0.client == "dashboard" && $0.reply == .accepted
                                         && $0.user == ControlServer.userName(geteuid()) })
        // The run's process ends: the client hears it is gone.
        server.close(reason: "test over")
        #expect(Self.eventually { watched.lost != nil })
        #expect(client.sendAndWait(.pause, timeout: 2).isRefused)
    }

    @Test func hostileClientsEndOnlyThemselves() throws {
        let dir = try Self.directory()
        defer { Self.remove(dir) }
        let jobs = (0 ..< 6).map { TestRun.job("j\($0)", $0 == 0 ? [] : ["j\($0 - 1)"], "sleep 0.15; echo line \($0)") }
        let (runner, rec) = TestRun.make(jobs)
        let server = try ControlServer(connection: runner, runId: runner.info.runId, path: dir + "/run.sock",
                                       queueLimit: 4096)
        defer { server.close() }
        let good = try ControlClient(path: server.path, client: "dashboard")
        defer { good.close() }
        let watched = RunEvents()
        try good.subscribe(watched)
        runner.start()
        let path = server.path
        let results = HostileResults()
        let group = DispatchGroup()
        func spawn(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            Thread.detachNewThread { body(); group.leave() }
        }
        spawn {  // garbage: answered with bye, then closed
            guard let fd = Self.rawConnect(path) else { return }
            _ = Self.send(fd, "\u{1B}]52;c;AAAA\u{07}\n")
            results.set("garbage", Self.readToEnd(fd))
            close(fd)
        }
        spawn {  // a 100 MB frame: cut off long before it is all sent
            guard let fd = Self.rawConnect(path) else { return }
            _ = Self.send(fd, ControlProtocolTests.hello)
            let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
            var sent = 0
            while sent < 100 << 20 {
                let n = chunk.withUnsafeBytes { metajob_send_blocking(fd, $0.baseAddress, UInt($0.count)) }
                if n <= 0 { break }
                sent += n
            }
            results.set("oversized", "\(sent)")
            close(fd)
        }
        spawn {  // half a frame, then gone
            guard let fd = Self.rawConnect(path) else { return }
            _ = Self.send(fd, "{\"hello\":{\"vers")
            close(fd)
        }
        spawn {  // a viewer that says hello and never reads
            guard let fd = Self.rawConnect(path) else { return }
            _ = Self.send(fd, ControlProtocolTests.hello)
            results.setFD(fd)
        }
        spawn {  // 50 connects in a loop
            var ok = 0
            for _ in 0 ..< 50 {
                guard let fd = Self.rawConnect(path) else { continue }
                ok += 1
                close(fd)
            }
            results.set("loop", "\(ok)")
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(rec.waitForFinish(seconds: 30))
        #expect(runner.snapshot().phase == .finished(.succeeded), "the run's outcome is as without them")
        #expect(results.get("garbage")?.contains("\"bye\"") == true)
        #expect(Int(results.get("oversized") ?? "") ?? .max < 100 << 20, "the 100 MB frame was cut off")
        #expect(results.get("loop") == "50")
        #expect(Self.eventually { good.currentSnapshot.phase == .finished(.succeeded) }, "a good client is unaffected")
        #expect(good.currentSnapshot.sequence == runner.snapshot().sequence)
        #expect(watched.lost == nil)
        #expect(Self.eventually { server.clientCount == 2 }, "only the good client and the silent viewer remain")
        if let fd = results.fd { close(fd) }
        #expect(Self.eventually { server.clientCount == 1 })
    }

    @Test func fiftyClientsAtOnceAllSeeTheWholeRun() throws {
        let dir = try Self.directory()
        defer { Self.remove(dir) }
        let jobs = (0 ..< 20).map { TestRun.job("j\($0)", $0 < 2 ? [] : ["j\($0 - 2)"], "echo out \($0)") }
        let (runner, rec) = TestRun.make(jobs)
        let server = try ControlServer(connection: runner, runId: runner.info.runId, path: dir + "/run.sock")
        defer { server.close() }
        var clients: [ControlClient] = []
        for _ in 0 ..< 50 { clients.append(try ControlClient(path: server.path, client: "dashboard")) }
        defer { clients.forEach { $0.close() } }
        #expect(Self.eventually { server.clientCount == 50 })
        runner.start()
        #expect(rec.waitForFinish(seconds: 30))
        let final = runner.snapshot()
        #expect(final.phase == .finished(.succeeded))
        #expect(Self.eventually { clients.allSatisfy { $0.currentSnapshot.sequence == final.sequence } },
                "every client folded every event")
        #expect(clients.allSatisfy { $0.currentSnapshot.jobs.map(\.state) == final.jobs.map(\.state) })
    }

    /// Clients that join a moving run one after another share one snapshot encoding (each gets it with the
    /// events since), and every one of them ends with exactly the run's state.
    @Test func clientsJoiningAMovingRunShareASnapshotAndEndWithTheRunsState() throws {
        let dir = try Self.directory()
        defer { Self.remove(dir) }
        let jobs = (0 ..< 200).map { TestRun.job("j\($0)", $0 < 4 ? [] : ["j\($0 - 4)"], "echo out \($0)") }
        let (runner, rec) = TestRun.make(jobs, settings: RunSettings(maxConcurrentRunningJobs: 4))
        let server = try ControlServer(connection: runner, runId: runner.info.runId, path: dir + "/run.sock")
        defer { server.close() }
        var clients = [try ControlClient(path: server.path, client: "first")]
        defer { clients.forEach { $0.close() } }
        runner.start()
        #expect(Self.eventually { clients[0].currentSnapshot.jobs.contains { $0.state == .succeeded } })
        for i in 1 ..< 10 { clients.append(try ControlClient(path: server.path, client: "joined \(i)")) }
        #expect(rec.waitForFinish(seconds: 60))
        let final = runner.snapshot()
        #expect(final.phase == .finished(.succeeded))
        #expect(Self.eventually { clients.allSatisfy { $0.currentSnapshot.sequence == final.sequence } },
                "every client folded every event")
        // The first client folded every event from the start; the others began from a shared snapshot.
        let whole = clients[0].currentSnapshot
        #expect(whole.jobs.map(\.state) == final.jobs.map(\.state) && whole.phase == final.phase)
        for client in clients.dropFirst() { #expect(client.currentSnapshot == whole) }
        #expect(server.snapshotsEncoded < clients.count, "\(server.snapshotsEncoded) snapshots encoded for \(clients.count) clients")
    }

    /// Delivers state changes arriving at `times` as the server does (each delivery takes all that wait);
    /// returns when each delivery went.
    static func serverDeliveries(_ times: [Double], until end: Double) -> [Double] {
        var p = ControlServer.pacing
        var deliveries: [Double] = []
        var waiting = 0
        var i = 0
        var t = times.first ?? 0
        while t <= end {
            while i < times.count && times[i] <= t {
                waiting += 1
                i += 1
            }
            if waiting > 0 && p.due(now: t, stateChanges: waiting) <= t {
                p.delivered(at: t, stateChanges: waiting)
                deliveries.append(t)
                waiting = 0
            }
            t += 0.0001
        }
        return deliveries
    }

    /// The server's sends: output every 2 ms; a lone change, a cancel's few, a level of 100 jobs ending together
    /// go at once; a stream of thousands a second (a 10,000-job run, each delivery waking every client) at 30
    /// deliveries a second.
    @Test func theServerSendsChangesAtOnceAndAHeavyStreamAtThirtyHertz() {
        var p = ControlServer.pacing
        #expect(p.due(now: 10, stateChanges: 1) == 10, "a lone change at once")
        p.delivered(at: 10, stateChanges: 1)
        #expect(abs(p.due(now: 10.0001, stateChanges: 0) - 10.002) < 1e-9, "output 2 ms after")

        let level = (0 ..< 100).map { 20 + Double($0) * 0.0005 }  // 100 changes in 50 ms
        var quiet = Self.serverDeliveries(level, until: 20.1)
        for change in level {
            let sent = quiet.first { $0 >= change - 1e-9 }!
            #expect(sent - change <= 0.0021, "a change of the level sent \((sent - change) * 1000) ms later")
        }
        quiet = Self.serverDeliveries([30, 30.001, 30.007, 30.008], until: 30.1)
        #expect(quiet.count >= 3 && quiet.last! - 30.008 <= 0.0021, "a cancel's changes at once: \(quiet)")

        let stream = stride(from: 40.0, to: 42.0, by: 1.0 / 7000).map { $0 }  // 7,000 changes a second
        let sent = Self.serverDeliveries(stream, until: 42.0)
        let steady = sent.filter { $0 > 40.5 }
        #expect(steady.count >= 43 && steady.count <= 46, "\(steady.count) deliveries in the stream's last 1.5 s")
        #expect(sent.count <= 90, "\(sent.count) deliveries in two seconds")
    }

    @Test func anotherUserCannotConnect() throws {
        guard geteuid() == 0 else {
            print("SKIPPED anotherUserCannotConnect: needs root to run a client as nobody (running as uid \(geteuid()))")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            print("SKIPPED anotherUserCannotConnect: needs /usr/bin/setpriv and /usr/bin/python3 to run a client as nobody")
            return
        }
        let dir = try Self.directory()
        defer { Self.remove(dir) }
        let (runner, rec) = TestRun.make([TestRun.job("a", [], "sleep 0.2")])
        let server = try ControlServer(connection: runner, runId: runner.info.runId, path: dir + "/run.sock")
        defer { server.close() }
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as e:
                print("refused", e.errno); sys.exit(0)
            data = b''
            try:
                s.sendall(b'{"hello":{"version":1,"client":"cli"}}\\n{"command":{"id":1,"command":{"pause":{}}}}\\n')
                s.settimeout(3)
                data = s.recv(65536)
            except OSError:
                pass
            print("got", len(data))
            """
        func asNobody(_ path: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, path]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        // Through the private directory: the kernel says no.
        #expect(try asNobody(server.path).hasPrefix("refused 13"))
        // Even with the directory and socket opened to everyone, the server checks the peer and hangs up.
        chmod(dir, 0o755)
        chmod(server.path, 0o777)
        let answer = try asNobody(server.path)
        #expect(answer == "got 0\n", "no hello, no snapshot: the connection is closed at once (got \(answer))")
        runner.start()
        #expect(rec.waitForFinish())
        #expect(runner.snapshot().paused == false, "nobody's pause never reached the run")
    }

    @Test func aSocketNothingListensOnIsStale() throws {
        let dir = try Self.directory()
        defer { Self.remove(dir) }
        let path = dir + "/dead.sock"
        let fd = metajob_unix_listen(path, 0o600, 1)
        #expect(fd >= 0)
        #expect(!ControlDirectory.isStale(path), "a listening socket is live")
        close(fd)  // as if its process was killed: the file stays
        #expect(ControlDirectory.isStale(path))
        #expect(ControlDirectory.removeIfStale(path) && access(path, F_OK) != 0)
        #expect(!ControlDirectory.isStale(dir), "a directory is not a socket")
        close(metajob_unix_listen(dir + "/a.sock", 0o600, 1))
        close(metajob_unix_listen(dir + "/b.sock", 0o600, 1))
        let live = metajob_unix_listen(dir + "/live.sock", 0o600, 1)
        #expect(ControlDirectory.removeStale(in: dir) == 2)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir)) == ["live.sock"])
        close(live)
        unlink(dir + "/live.sock")
        // A server at a stale path takes it over; a client of a path nobody serves is told the run is gone.
        close(metajob_unix_listen(path, 0o600, 1))
        let (runner, _) = TestRun.make([TestRun.job("a", [], "true")])
        let server = try ControlServer(connection: runner, runId: runner.info.runId, path: path)
        server.close()
        #expect(access(path, F_OK) != 0, "closing removes the socket")
        #expect(throws: RunConnectionError.self) { try ControlClient(path: path, client: "cli") }
    }

    @Test func aDirectoryOthersCanReachIsRefused() throws {
        let dir = NSTemporaryDirectory() + "metajob-open-\(UUID().uuidString.prefix(8))"
        mkdir(dir, 0o755)
        chmod(dir, 0o755)
        defer { Self.remove(dir) }
        #expect(throws: ControlDirectory.Problem.self) { try ControlDirectory.prepare(dir) }
        #expect(ControlDirectory.path(environment: ["XDG_RUNTIME_DIR": dir]) == dir + "/metajob", "an existing runtime directory of ours")
        #expect(ControlDirectory.path(environment: ["XDG_RUNTIME_DIR": "/nonexistent/run/user/7"]) == "/tmp/metajob-\(geteuid())",
                "a missing runtime directory is passed over")
        #expect(ControlDirectory.path(environment: ["TMPDIR": "/var/tmp/"]) == "/var/tmp/metajob-\(geteuid())")
    }
}
