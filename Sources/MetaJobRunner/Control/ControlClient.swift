import CMetajobSys
import Dispatch
import Foundation
import MetaJobCore
#if canImport(Glibc)
import Glibc
#endif

/// The run connection of a run in another process, over its control socket: the second implementation of
/// `RunConnection` (the `Runner` is the first), so the dashboard, the printers and the CLI use it unchanged.
///
/// One thread reads the socket; every frame is handled on `queue`, where the client keeps its own copy of the
/// run's snapshot (so a late subscriber gets the snapshot and then every later event, as from the `Runner`).
/// A gap in the sequence numbers (the server resynchronised a slow reader) asks for a fresh snapshot, and the
/// observers are attached again with it.
public final class ControlClient: RunConnection, @unchecked Sendable {
    /// Where frames are handled and observers called, in order.
    public let queue: DispatchQueue
    /// Always true: the run is in another process.
    public var isRemote: Bool { true }
    /// The run's id, as its server said in its hello.
    public let runId: String
    /// The process serving the run.
    public let serverPid: Int32

    private let fd: Int32
    private let writeLock = NSLock()
    // MARK: On `queue` only
    private var snapshot: RunSnapshot
    private var resyncing = false
    private var observers: [ObjectIdentifier: RunObserver] = [:]
    private var finishWaiters: [@Sendable (RunOutcome) -> Void] = []
    private var lastOutcome: RunOutcome?
    private var lost: RunConnectionError?
    // MARK: Under `lock`
    private let lock = NSLock()
    private var nextId: UInt64 = 1
    private var pending: [UInt64: @Sendable (CommandReply) -> Void] = [:]
    private var closedError: RunConnectionError?
    private static let queueKey = DispatchSpecificKey<ObjectIdentifier>()

    /// Connects to the socket at `path`, says hello as `client` (`dashboard`, `cli`, …) and waits up to
    /// `timeout` seconds for the server's hello and the snapshot. Throws `.gone` when nothing answers there.
    public init(path: String, client: String, timeout: Double = 5) throws(RunConnectionError) {
        let fd = metajob_unix_connect(path)
        guard fd >= 0 else {
            throw .gone("cannot connect to \(path): \(String(cString: strerror(-fd)))")
        }
        var decoder = FrameDecoder(limit: ControlProtocol.serverFrameLimit)
        var buffer = ControlClient.readBuffer()
        var backlog: [[UInt8]] = []
        var hello: (String, Int32)?
        var first: RunSnapshot?
        do throws(RunConnectionError) {
            try ControlClient.write(fd, FrameCodec.encode(ClientFrame.hello(version: ControlProtocol.version, client: client)))
            let deadline = Date().addingTimeInterval(timeout)
            while first == nil {
                for line in try ControlClient.readSome(fd, &decoder, &buffer, until: deadline) {
                    if first != nil { backlog.append(line); continue }
                    // The snapshot by hand (a 10,000-job run's took JSONDecoder ~100 ms); the rest through Codable.
                    guard let frame = SnapshotFrameReader.snapshot(line).map(ServerFrame.snapshot) ?? FrameCodec.decode(ServerFrame.self, line) else {
                        throw .protocolViolation("the server sent a line that is not a frame")
                    }
                    switch frame {
                    case let .hello(version, runId, pid):
                        guard version == ControlProtocol.version else {
                            throw .protocolViolation("the run speaks protocol \(version), this metajob \(ControlProtocol.version)")
                        }
                        hello = (runId, pid)
                    case .snapshot(let s) where hello != nil:
                        first = s
                    case .bye(let reason):
                        throw .gone(reason)
                    default:
                        throw .protocolViolation("the server did not begin with hello and a snapshot")
                    }
                }
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
        self.runId = hello!.0
        self.serverPid = hello!.1
        self.snapshot = first!
        if case .finished(let outcome) = first!.phase { lastOutcome = outcome }
        queue = DispatchQueue(label: "metajob.control-client")
        queue.setSpecific(key: ControlClient.queueKey, value: ObjectIdentifier(self))
        for line in backlog { queue.async { self.handle(line) } }
        let thread = Thread { [self, decoder] in self.readLoop(decoder) }
        thread.name = "metajob.control-client"
        thread.start()
    }

    deinit {
        Glibc.close(fd)
    }

    /// The run as this client last knew it.
    public var currentSnapshot: RunSnapshot { onQueue { snapshot } }

    /// Ends the connection (the run goes on). Observers are told the connection is lost.
    public func close() {
        lock.lock()
        if closedError == nil { closedError = .gone("detached") }
        lock.unlock()
        shutdown(fd, Int32(SHUT_RDWR))
    }

    // MARK: - RunConnection

    /// Attaches `observer` with the client's current snapshot; every later event follows. Throws once the connection is lost.
    public func subscribe(_ observer: RunObserver) throws(RunConnectionError) {
        let error: RunConnectionError? = onQueue {
            if let lost { return lost }
            observers[ObjectIdentifier(observer)] = observer
            observer.attach(snapshot)
            return nil
        }
        if let error { throw error }
    }

    /// Detaches `observer`.
    public func unsubscribe(_ observer: RunObserver) {
        queue.async { self.observers[ObjectIdentifier(observer)] = nil }
    }

    /// Sends `command`; `reply` gets the run's answer, or a refusal when the connection is lost first.
    public func send(_ command: RunCommand, reply: @escaping @Sendable (CommandReply) -> Void) {
        request({ .command(id: $0, command: command) }, reply: reply)
    }

    /// Sends `command` and waits (up to `timeout` seconds) for its answer.
    public func sendAndWait(_ command: RunCommand, timeout: Double = 10) -> CommandReply {
        wait(timeout) { send(command, reply: $0) }
    }

    /// Asks the run to write what its history recorder buffers and waits (up to `timeout` seconds) until it
    /// has: then the history holds everything this client has been sent.
    public func syncHistory(timeout: Double = 10) -> CommandReply {
        wait(timeout) { request({ .sync(id: $0) }, reply: $0) }
    }

    /// Sends the frame `frame(id)` for a new id; `reply` gets the answer with that id, or a refusal when the
    /// connection is lost first.
    private func request(_ frame: (UInt64) -> ClientFrame, reply: @escaping @Sendable (CommandReply) -> Void) {
        lock.lock()
        if let closedError {
            lock.unlock()
            reply(.refused(closedError.message))
            return
        }
        let id = nextId
        nextId += 1
        pending[id] = reply
        lock.unlock()
        do {
            try writeFrame(frame(id))
        } catch {
            lock.lock()
            let waiting = pending.removeValue(forKey: id)
            lock.unlock()
            waiting?(.refused(error.message))
        }
    }

    /// Starts a request with `start` and waits up to `timeout` seconds for its answer.
    private func wait(_ timeout: Double, _ start: (@escaping @Sendable (CommandReply) -> Void) -> Void) -> CommandReply {
        let answered = DispatchSemaphore(value: 0)
        let box = ReplySlot()
        start { reply in
            box.set(reply)
            answered.signal()
        }
        guard answered.wait(timeout: .now() + timeout) == .success else {
            return .refused("the run did not answer within \(Int(timeout)) s")
        }
        return box.get()
    }

    /// Calls `body` each time the run finishes (at once if it has).
    public func onFinish(_ body: @escaping @Sendable (RunOutcome) -> Void) {
        queue.async {
            self.finishWaiters.append(body)
            if let outcome = self.lastOutcome, case .finished = self.snapshot.phase { body(outcome) }
        }
    }

    /// Tells the run which jobs this client shows.
    public func setWatched(jobs: Set<Int>) {
        try? writeFrame(.watch(jobs: jobs.sorted()))
    }

    // MARK: - Reading

    private func readLoop(_ start: FrameDecoder) {
        var decoder = start
        var buffer = ControlClient.readBuffer()
        var error: RunConnectionError
        while true {
            do throws(RunConnectionError) {
                let lines = try ControlClient.readSome(fd, &decoder, &buffer, until: nil)
                // Handled before reading on: a client slower than the run then leaves the bytes in the socket,
                // and the server resynchronises it (bounded) instead of this process queueing them without end
                // (a flood decoded minutes late, the run's end and every answer behind it).
                queue.sync { for line in lines { self.handle(line) } }
            } catch let failure {
                error = failure
                break
            }
        }
        lock.lock()
        if let closedError { error = closedError } else { closedError = error }
        let waiting = pending
        pending = [:]
        lock.unlock()
        let final = error
        for (_, reply) in waiting.sorted(by: { $0.key < $1.key }) { reply(.refused(final.message)) }
        queue.async {
            guard self.lost == nil else { return }
            self.lost = final
            for observer in self.observers.values { observer.connectionLost(final) }
        }
    }

    private func handle(_ line: [UInt8]) {
        guard lost == nil else { return }
        // Events (nearly every frame) by hand; the rest, and anything unusual, through Codable.
        guard let frame = EventFrameReader.event(line).map(ServerFrame.event) ?? SnapshotFrameReader.snapshot(line).map(ServerFrame.snapshot)
                ?? FrameCodec.decode(ServerFrame.self, line) else {
            lose(.protocolViolation("the server sent a line that is not a frame"))
            return
        }
        switch frame {
        case .hello:
            lose(.protocolViolation("the server said hello twice"))
        case .snapshot(let fresh):
            // The answer to a resync: observers start over from it.
            snapshot = fresh
            resyncing = false
            for observer in observers.values {
                observer.attach(fresh)
                observer.flush()
            }
        case .event(let event):
            guard !resyncing else { return }
            guard event.sequence == snapshot.sequence + 1 else {
                if event.sequence <= snapshot.sequence { return }
                // Events were dropped for us (we read too slowly): ask for the run as it is now.
                resyncing = true
                try? writeFrame(.resync)
                return
            }
            snapshot.apply(event)
            for observer in observers.values {
                observer.receive(event)
                observer.flush()
            }
            if case .runFinished(let outcome) = event.kind {
                lastOutcome = outcome
                for waiter in finishWaiters { waiter(outcome) }
            }
        case let .skipped(from, to):
            // Output we were too slow for; the stream goes on after it.
            guard !resyncing, to > snapshot.sequence else { return }
            guard from <= snapshot.sequence + 1 else {
                resyncing = true
                try? writeFrame(.resync)
                return
            }
            snapshot.sequence = to
        case let .reply(id, reply):
            lock.lock()
            let waiting = pending.removeValue(forKey: id)
            lock.unlock()
            waiting?(reply)
        case .bye(let reason):
            lose(.gone(reason))
        }
    }

    private func lose(_ error: RunConnectionError) {
        lock.lock()
        if closedError == nil { closedError = error }
        lock.unlock()
        shutdown(fd, Int32(SHUT_RDWR))
    }

    // MARK: - Plumbing

    private func onQueue<T>(_ body: () -> T) -> T {
        if DispatchQueue.getSpecific(key: ControlClient.queueKey) == ObjectIdentifier(self) { return body() }
        return queue.sync(execute: body)
    }

    private func writeFrame(_ frame: ClientFrame) throws(RunConnectionError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        try ControlClient.write(fd, FrameCodec.encode(frame))
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) throws(RunConnectionError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { metajob_send_blocking(fd, $0.baseAddress, UInt($0.count)) }
            if sent < 0 {
                if sent == -Int(EINTR) { continue }
                throw .gone("the run's socket closed: \(String(cString: strerror(Int32(-sent))))")
            }
            offset += sent
        }
    }

    /// Reads once (waiting until `deadline`, or for ever when nil) and returns the frames completed.
    /// The buffer `readSome` reads into, made once per reader: one made per read cost an attached dashboard a
    /// quarter of its reading thread's CPU (zeroing 256 KiB, and mapping it, for every burst of events).
    private static func readBuffer() -> [UInt8] { [UInt8](repeating: 0, count: 256 * 1024) }

    private static func readSome(_ fd: Int32, _ decoder: inout FrameDecoder, _ buffer: inout [UInt8],
                                 until deadline: Date?) throws(RunConnectionError) -> [[UInt8]] {
        if let deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
            let ready = poll(&entry, 1, ms)
            if ready == 0 { throw .gone("the run did not answer in time") }
        }
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { return [] }
            throw .gone("reading the run's socket failed: \(String(cString: strerror(errno)))")
        }
        if n == 0 { throw .gone("the run's process closed the connection") }
        do {
            return try buffer.withUnsafeBytes { raw throws(FrameDecoder.Failure) in
                try decoder.feed(UnsafeRawBufferPointer(rebasing: raw[0 ..< n]))
            }
        } catch {
            throw .protocolViolation("a frame from the run is longer than \(ControlProtocol.serverFrameLimit) bytes")
        }
    }
}
