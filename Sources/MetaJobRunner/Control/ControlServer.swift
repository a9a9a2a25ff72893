import CMetajobSys
import Foundation
import MetaJobCore
#if canImport(Glibc)
import Glibc
#endif

/// Serves a run's connection on a Unix-domain socket: the thin performer of `ControlSession`s. One thread
/// owns the listening socket, every client and the server's copy of the run's snapshot; the run's events reach
/// it through a bounded inbox, so the run never waits for a client and a stalled server never grows it.
///
/// The server subscribes to the run only while a client is connected: a run nobody watches pays nothing.
public final class ControlServer: @unchecked Sendable {
    /// The socket's path.
    public let path: String
    private let connection: RunConnection
    private let runId: String
    private let listenFD: Int32
    private let wakeFD: Int32
    private let onRequest: @Sendable (ControlRequest) -> Void
    /// Writes the run's buffered history (`sync` frames); nil while the run keeps none.
    private var syncHistory: (@Sendable () -> Void)?
    private let stopped = DispatchSemaphore(value: 0)
    private let queueLimit: Int

    // MARK: Inbox (under `lock`): what other threads hand the server thread.
    private let lock = NSLock()
    private var inboxEvents: [RunEvent] = []
    private var inboxBytes = 0
    private var inboxOverflow = false
    private var inboxSnapshot: RunSnapshot?
    private var inboxReplies: [(fd: Int32, serial: UInt64, id: UInt64, reply: CommandReply)] = []
    private var subscription = 0
    private var stopRequested = false
    /// The inbox's state changes (not output), which may go sooner (`pacing`).
    private var inboxStateChanges = 0
    /// What the server thread was last woken for since it last took the inbox: the run wakes it once per
    /// delivery, and once more when a state change joins waiting output.
    private var wokenFor = Wake.nothing
    private enum Wake { case nothing, output, stateChange }

    // MARK: Server thread only
    private var clients: [Int32: Client] = [:]
    private var snapshot: RunSnapshot?
    private var observer: Observer?
    /// The snapshot last encoded, and the events published since then: a client that asks soon after another
    /// gets that same snapshot followed by those events instead of a fresh encoding (five clients attaching to a
    /// 10,000-job run each had a 1.4 MB snapshot encoded). Kept while the events since take at most half the
    /// snapshot's size.
    private var encodedSnapshot: (sequence: UInt64, bytes: [UInt8])?
    private var sinceSnapshot: [EncodedEvent] = []
    private var sinceSnapshotBytes = 0

    /// How many snapshot frames were encoded (for tests; under `lock`).
    var snapshotsEncoded: Int {
        lock.lock()
        defer { lock.unlock() }
        return encodings
    }
    private var encodings = 0
    private var nextSerial: UInt64 = 0

    /// Events (by bytes of output) waiting for the server thread before it gives up on them and resubscribes.
    static let inboxLimit = 64 * 1024 * 1024
    /// When the inbox's events go to the clients (server thread only): output every 2 ms (a send per 2 ms, not
    /// per line); state changes at once, up to 250 in a row and 500 a second in the long run (a cancel, a level
    /// of jobs ending together); a stream beyond that — a 10,000-job run, thousands a second — 30 times a
    /// second. Each delivery wakes every client: with five attached to DAG10K, 500 deliveries a second cost
    /// 1.11-1.17x its time, 30-60 a second 1.01-1.06x (paired runs, noisy).
    private var pacing = ControlServer.pacing
    static let pacing = FeedPacing(logRate: 500, stateRate: 500, burst: 250, maxRate: 500, streamRate: 30)

    /// A connected client (a class: every event goes to each, and a struct's update in place through the
    /// dictionary was a tenth of this thread's time under DAG10K).
    private final class Client {
        var session: ControlSession
        let user: String
        /// Tells this client from a later one given the same fd number.
        let serial: UInt64
        var closing = false
        var closeDeadline = 0.0
        /// Dropped (its fd closed): a delivery in progress skips it.
        var dropped = false

        init(session: ControlSession, user: String, serial: UInt64) {
            self.session = session
            self.user = user
            self.serial = serial
        }
    }

    /// Serves `connection` (run `runId`) at `path`; a stale socket there is removed first. `onRequest` is told of
    /// every command a client sends, with its answer (on the server's thread). Throws when the socket cannot be made.
    public init(connection: RunConnection, runId: String, path: String,
                queueLimit: Int = ControlProtocol.clientQueueLimit,
                onRequest: @escaping @Sendable (ControlRequest) -> Void = { _ in }) throws(ControlDirectory.Problem) {
        ControlDirectory.removeIfStale(path)
        let fd = metajob_unix_listen(path, 0o600, 64)
        guard fd >= 0 else {
            throw ControlDirectory.Problem(message: "cannot serve \(path): \(String(cString: strerror(-fd)))")
        }
        let wake = metajob_eventfd()
        guard wake >= 0 else {
            Glibc.close(fd)
            unlink(path)
            throw ControlDirectory.Problem(message: "cannot serve \(path): no eventfd")
        }
        self.path = path
        self.connection = connection
        self.runId = runId
        self.listenFD = fd
        self.wakeFD = wake
        self.queueLimit = queueLimit
        self.onRequest = onRequest
        let thread = Thread { [self] in self.loop() }
        thread.name = "metajob.control"
        thread.start()
    }

    /// Lets clients ask for the run's buffered history to be written (`sync` frames): `body` writes it and
    /// returns once it is written.
    public func answerSync(with body: @escaping @Sendable () -> Void) {
        lock.lock()
        syncHistory = body
        lock.unlock()
    }

    /// Says goodbye to every client (waiting up to a second for them to read it), closes the socket and
    /// removes its file. Idempotent.
    public func close(reason: String = "the run's process is ending") {
        lock.lock()
        let first = !stopRequested
        stopRequested = true
        closeReason = reason
        lock.unlock()
        guard first else { return }
        wake()
        stopped.wait()
    }
    private var closeReason = ""

    /// How many clients are connected (for tests).
    public var clientCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return connectedClients
    }
    private var connectedClients = 0

    // MARK: - Inbox

    fileprivate func receive(_ event: RunEvent, subscription id: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard id == subscription, !inboxOverflow else { return }
        var size = 64
        if case .log(_, _, _, let lines) = event.kind { size += lines.bytes.count + 8 * lines.count }
        if inboxBytes + size > ControlServer.inboxLimit {
            inboxOverflow = true
            inboxEvents = []
            inboxBytes = 0
            return
        }
        inboxEvents.append(event)
        inboxBytes += size
        if !event.isLog { inboxStateChanges += 1 }
    }

    fileprivate func attach(_ snapshot: RunSnapshot, subscription id: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard id == subscription else { return }
        inboxSnapshot = snapshot
        inboxEvents = []
        inboxBytes = 0
        inboxOverflow = false
        inboxStateChanges = 0
    }

    fileprivate func flush(subscription id: Int) {
        lock.lock()
        let news: Wake = inboxOverflow || inboxStateChanges > 0 ? .stateChange : inboxEvents.isEmpty ? .nothing : .output
        let needed = id == subscription && news != .nothing && (wokenFor == .nothing || (wokenFor == .output && news == .stateChange))
        if needed { wokenFor = news }
        lock.unlock()
        if needed { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: - The server thread

    private func loop() {
        var fds: [pollfd] = []
        var stopDeadline: Double?
        // When the inbox's events are due to go (`pacing`); nil while none wait.
        var deliveryDue: Double?
        while true {
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0))
            if stopDeadline == nil { fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)) }
            for (fd, client) in clients {
                var events = Int16(0)
                if !client.closing { events |= Int16(POLLIN) }
                if client.session.nextOutput != nil { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: fd, events: events, revents: 0))
            }
            var timeout: Int32 = (stopDeadline != nil || clients.values.contains { $0.closing }) ? 100 : -1
            if let due = deliveryDue {
                // Rounded up: waking a little early would only spin.
                let ms = Int32(min(1000, max(0, ((due - now) * 1000).rounded(.up))))
                timeout = timeout < 0 ? ms : min(timeout, ms)
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents != 0 {
                var count: UInt64 = 0
                _ = read(wakeFD, &count, 8)
            }
            lock.lock()
            let stopNow = stopRequested
            let reason = closeReason
            let replies = !inboxReplies.isEmpty
            let events = !inboxEvents.isEmpty || inboxOverflow
            let stateChanges = inboxOverflow ? 1 : inboxStateChanges
            lock.unlock()
            let t = now
            deliveryDue = events ? pacing.due(now: t, stateChanges: stateChanges) : nil
            // Replies go at once, and the events before them with them (in the order they came); the answer to
            // a `stop --now` is in the inbox when the run ends, and must reach its client before the goodbye
            // does (seen in CI: "the run is gone" instead of "stopping now").
            if replies || stopNow || deliveryDue.map({ $0 <= t }) == true {
                if drainInbox() { pacing.delivered(at: t, stateChanges: stateChanges) }
                deliveryDue = nil
            }
            if stopNow && stopDeadline == nil {
                stopDeadline = now + 1
                for fd in Array(clients.keys) { perform(clients[fd]!.session.shutDown(reason), fd: fd) }
                unsubscribe()
            }
            for entry in fds.dropFirst() where entry.revents != 0 {
                if entry.fd == listenFD { acceptAll() } else { serve(entry.fd, revents: entry.revents) }
            }
            reapClosing(force: stopDeadline.map { now > $0 } ?? false)
            if let deadline = stopDeadline, clients.isEmpty || now > deadline {
                reapClosing(force: true)
                break
            }
        }
        Glibc.close(listenFD)
        Glibc.close(wakeFD)
        unlink(path)
        stopped.signal()
    }

    private var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func acceptAll() {
        while true {
            let fd = metajob_unix_accept(listenFD)
            guard fd >= 0 else { return }
            var uid: uid_t = 0
            var pid: pid_t = 0
            // The socket's mode already keeps other users out; the kernel's word on the peer is the second lock.
            guard metajob_peer_credentials(fd, &uid, &pid) == 0, uid == geteuid() else {
                Glibc.close(fd)
                continue
            }
            clients[fd] = Client(session: ControlSession(runId: runId, pid: getpid(), queueLimit: queueLimit),
                                 user: ControlServer.userName(uid), serial: nextSerial)
            nextSerial += 1
            countClients()
        }
    }

    private func serve(_ fd: Int32, revents: Int16) {
        guard clients[fd] != nil else { return }
        if revents & Int16(POLLOUT) != 0 { writeOut(fd) }
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0, clients[fd].map({ !$0.closing }) == true {
            readIn(fd, hangUp: revents & Int16(POLLHUP | POLLERR) != 0)
        }
    }

    private func readIn(_ fd: Int32, hangUp: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            let actions = buffer.withUnsafeBytes { clients[fd]!.session.received(UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
            perform(actions, fd: fd)
        } else if n == 0 || (errno != EAGAIN && errno != EINTR) || hangUp {
            perform(clients[fd]!.session.endOfInput(), fd: fd)
        }
    }

    private func writeOut(_ fd: Int32) {
        // Whole queued frames in one vectored send (up to 256 KiB, 256 frames: a 30 Hz delivery of a 10,000-job
        // run is ~230), straight from the frames every client shares: a burst costs one system call and no copy.
        while let sent = clients[fd]?.session.withOutput(upTo: 256 * 1024, maxFrames: 256, { buffers -> Int in
            var bases = buffers.map { $0.baseAddress }
            var lengths = buffers.map { UInt($0.count) }
            return metajob_sendv_nowait(fd, &bases, &lengths, Int32(buffers.count))
        }) {
            if sent > 0 {
                clients[fd]!.session.wrote(Int(sent))
            } else {
                if sent != -Int(EAGAIN) && sent != -Int(EINTR) {
                    // The client is gone: nothing more can reach it.
                    drop(fd)
                }
                return
            }
        }
    }

    private func perform(_ actions: [ControlSession.Action], fd: Int32) {
        for action in actions {
            switch action {
            case .wantSnapshot:
                sendSnapshot(to: fd)
            case let .command(id, command):
                let client = clients[fd]?.session.client ?? "client"
                let user = clients[fd]?.user ?? "?"
                let serial = clients[fd]?.serial ?? .max
                connection.send(command) { [weak self] reply in
                    guard let self else { return }
                    self.onRequest(ControlRequest(command: command, client: client, user: user, reply: reply))
                    self.lock.lock()
                    self.inboxReplies.append((fd, serial, id, reply))
                    self.lock.unlock()
                    self.wake()
                }
            case .watch(let jobs):
                connection.setWatched(jobs: jobs)
            case .syncHistory(let id):
                let serial = clients[fd]?.serial ?? .max
                lock.lock()
                let sync = syncHistory
                lock.unlock()
                // Off the poll thread: the recorder's write may take a while.
                DispatchQueue.global().async { [weak self] in
                    sync?()
                    guard let self else { return }
                    let reply: CommandReply = sync == nil ? .refused("this run keeps no history") : .accepted
                    self.lock.lock()
                    self.inboxReplies.append((fd, serial, id, reply))
                    self.lock.unlock()
                    self.wake()
                }
            case .close:
                guard clients[fd] != nil else { return }
                clients[fd]!.closing = true
                clients[fd]!.closeDeadline = now + 1
                shutdown(fd, Int32(SHUT_RD))
                writeOut(fd)
            }
        }
    }

    /// Closes clients whose goodbye is written (or that had a second to read it).
    private func reapClosing(force: Bool) {
        let t = now
        for (fd, client) in clients where client.closing || force {
            if force || client.session.nextOutput == nil || t > client.closeDeadline { drop(fd) }
        }
    }

    private func drop(_ fd: Int32) {
        guard let client = clients.removeValue(forKey: fd) else { return }
        client.dropped = true
        Glibc.close(fd)
        countClients()
        if clients.isEmpty { unsubscribe() }
    }

    private func countClients() {
        lock.lock()
        connectedClients = clients.count
        lock.unlock()
    }

    // MARK: - The run's side

    private func sendSnapshot(to fd: Int32) {
        if observer == nil { subscribe() }
        guard let snapshot else {
            perform(clients[fd]?.session.shutDown("the run cannot be reached") ?? [], fd: fd)
            return
        }
        guard let client = clients[fd] else { return }
        guard let cached = encodedSnapshot else {
            encodedSnapshot = (snapshot.sequence, SnapshotFrameWriter.frame(snapshot))
            lock.lock()
            encodings += 1
            lock.unlock()
            client.session.snapshot(sequence: snapshot.sequence, bytes: encodedSnapshot!.bytes)
            return
        }
        client.session.snapshot(sequence: cached.sequence, bytes: cached.bytes)
        for event in sinceSnapshot where !client.session.published(event).isEmpty {
            // More than the client's queue holds (it asks for a snapshot again): a fresh one, without events.
            forgetSnapshot()
            sendSnapshot(to: fd)
            return
        }
    }

    /// `event` joins the events since the cached snapshot, or the cache goes when that makes it no cheaper
    /// than a fresh encoding (or the event is a log event left unencoded).
    private func keepForSnapshot(_ event: EncodedEvent) {
        guard let cached = encodedSnapshot else { return }
        if event.bytes.isEmpty || sinceSnapshotBytes + event.bytes.count > cached.bytes.count / 2 {
            forgetSnapshot()
        } else {
            sinceSnapshot.append(event)
            sinceSnapshotBytes += event.bytes.count
        }
    }

    private func forgetSnapshot() {
        encodedSnapshot = nil
        sinceSnapshot = []
        sinceSnapshotBytes = 0
    }

    private func subscribe() {
        lock.lock()
        subscription += 1
        let id = subscription
        inboxSnapshot = nil
        lock.unlock()
        let observer = Observer(server: self, subscription: id)
        do {
            try connection.subscribe(observer)
        } catch {
            return
        }
        self.observer = observer
        lock.lock()
        snapshot = inboxSnapshot
        inboxSnapshot = nil
        lock.unlock()
        forgetSnapshot()
    }

    private func unsubscribe() {
        guard let observer else { return }
        connection.unsubscribe(observer)
        self.observer = nil
        snapshot = nil
        forgetSnapshot()
        lock.lock()
        subscription += 1
        inboxEvents = []
        inboxBytes = 0
        inboxOverflow = false
        inboxStateChanges = 0
        wokenFor = .nothing
        lock.unlock()
    }

    /// Hands the inbox to the clients; true when it held events.
    @discardableResult
    private func drainInbox() -> Bool {
        lock.lock()
        let events = inboxEvents
        let overflow = inboxOverflow
        let replies = inboxReplies
        inboxEvents = []
        inboxBytes = 0
        inboxReplies = []
        inboxStateChanges = 0
        wokenFor = .nothing
        lock.unlock()
        for (fd, serial, id, reply) in replies where clients[fd]?.serial == serial {
            let actions = clients[fd]!.session.replied(id: id, reply)
            perform(actions, fd: fd)
            writeOut(fd)
        }
        if overflow {
            // The server fell behind the run: start over from a fresh subscription, and every client from its snapshot.
            unsubscribe()
            subscribe()
            for fd in Array(clients.keys) where clients[fd]?.session.phase == .live {
                perform(clients[fd]!.session.resync(), fd: fd)
            }
            return true
        }
        guard !events.isEmpty, snapshot != nil else { return !events.isEmpty }
        let receivers = Array(clients)
        for event in events {
            snapshot!.apply(event)
            // A flood's log event that every client would skip is not encoded: under a flood that was most of this
            // thread's work, and state changes waited behind it.
            var encoding = true
            if case .log(let job, _, _, _) = event.kind {
                encoding = receivers.contains { !$0.value.dropped && $0.value.session.takesLog(of: job) }
            }
            let encoded = EncodedEvent(event, encoding: encoding)
            keepForSnapshot(encoded)
            for (fd, client) in receivers where !client.dropped {
                let actions = client.session.published(encoded)
                if !actions.isEmpty { perform(actions, fd: fd) }
            }
        }
        for fd in Array(clients.keys) where clients[fd]?.session.nextOutput != nil { writeOut(fd) }
        return true
    }

    static func userName(_ uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return "uid \(uid)"
        }
        return String(cString: name)
    }

    /// The server's subscription to the run: hands events to the server thread's inbox.
    private final class Observer: RunObserver, @unchecked Sendable {
        weak var server: ControlServer?
        let subscription: Int

        init(server: ControlServer, subscription: Int) {
            self.server = server
            self.subscription = subscription
        }

        func attach(_ snapshot: RunSnapshot) { server?.attach(snapshot, subscription: subscription) }
        func receive(_ event: RunEvent) { server?.receive(event, subscription: subscription) }
        func flush() { server?.flush(subscription: subscription) }
        func connectionLost(_ error: RunConnectionError) {}
    }
}
