import MetaJobCore

/// The control socket's protocol with one client, as a state machine: bytes, events and snapshots in;
/// commands, snapshot requests and the end of the connection out. Its output waits in a queue bounded by
/// `queueLimit`: a client that does not read loses its queued events and is sent a fresh snapshot instead, so
/// it never makes the run wait or grow. The socket code only performs (`ControlServer`).
public struct ControlSession: Sendable {
    /// What the performer does next.
    public enum Action: Sendable, Equatable {
        /// Send the run's current snapshot (`snapshot(sequence:bytes:)`); the client is waiting for it.
        case wantSnapshot
        /// Hand the command to the run and pass its answer to `replied(id:_:)`.
        case command(id: UInt64, RunCommand)
        /// The client watches these jobs now.
        case watch(Set<Int>)
        /// Write the run's buffered history now, then pass the answer to `replied(id:_:)`.
        case syncHistory(id: UInt64)
        /// Close the connection once the queued output (a `bye`) is written or cannot be.
        case close(reason: String)
    }

    /// Where the conversation is.
    public enum Phase: Sendable, Equatable {
        /// Waiting for the client's hello.
        case greeting
        /// The client waits for a snapshot (after hello, or after falling behind).
        case waitingForSnapshot
        /// Events flow to the client.
        case live
        /// Over, and why.
        case closed(reason: String)
    }

    /// Where the conversation is now.
    public private(set) var phase: Phase = .greeting
    /// What the client said it is (`dashboard`, `cli`, …), once it said hello.
    public private(set) var client: String?
    /// The last sequence number this client has been sent (or will be, from its queue).
    public private(set) var lastSequence: UInt64 = 0
    /// How many times the client was resynchronised because it read too slowly.
    public private(set) var resyncs = 0
    /// How many log lines were skipped for this client because it was behind.
    public private(set) var skippedLines: UInt64 = 0
    private var decoder: FrameDecoder
    private let queueLimit: Int
    private let hello: [UInt8]
    private var queue: [[UInt8]] = []
    /// Log events not sent to a client that is behind (sequence numbers), said in a `skipped` frame before the
    /// next frame that is sent.
    private var skipping: (from: UInt64, to: UInt64)?
    private let logBudget: Int
    /// The jobs the client says it shows (`watch`): past the budget, one log event of theirs still goes each
    /// time the client has read something, so the log a user reads is never starved by the others' flood (with
    /// jobs read in the same order every round, the first filled the budget and the watched one never got in),
    /// while what waits for a slow client stays about the same.
    private var watched: Set<Int> = []
    /// A watched job's log event may go past the budget (set when the client reads, spent by that event).
    private var watchedPass = true
    /// For each queued frame: a reply, which dropping the queue keeps (an answer is owed whatever else is lost).
    private var isReply: [Bool] = []
    private var head = 0
    /// Bytes of the first queued frame already written.
    private var headOffset = 0
    /// Bytes waiting to be written to the client (bounded by the queue limit plus one snapshot).
    public private(set) var queuedBytes = 0

    /// A session for a client of run `runId` served by process `pid`.
    public init(runId: String, pid: Int32, frameLimit: Int = ControlProtocol.clientFrameLimit,
                queueLimit: Int = ControlProtocol.clientQueueLimit, logBudget: Int = ControlProtocol.clientLogBudget) {
        decoder = FrameDecoder(limit: frameLimit)
        self.queueLimit = queueLimit
        self.logBudget = logBudget
        hello = FrameCodec.encode(ServerFrame.hello(version: ControlProtocol.version, runId: runId, pid: pid))
    }

    /// True once the session is over (the performer closes the socket when its output is written).
    public var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    // MARK: - Input

    /// Bytes read from the client.
    public mutating func received(_ bytes: UnsafeRawBufferPointer) -> [Action] {
        guard !isClosed else { return [] }
        let frames: [[UInt8]]
        do {
            frames = try decoder.feed(bytes)
        } catch {
            return end("frame longer than \(ControlProtocol.clientFrameLimit) bytes")
        }
        var actions: [Action] = []
        for line in frames {
            actions += handle(line)
            if isClosed { break }
        }
        return actions
    }

    /// The client closed its side (or the read failed).
    public mutating func endOfInput() -> [Action] {
        guard !isClosed else { return [] }
        do {
            try decoder.finish()
            return end("client closed the connection", bye: false)
        } catch {
            return end("the connection ended inside a frame", bye: false)
        }
    }

    /// Whether a log event of `job` would be queued now (false: it would be skipped, or not sent at all).
    public func takesLog(of job: Int) -> Bool {
        guard case .live = phase else { return false }
        return queuedBytes <= logBudget || (watchedPass && watched.contains(job))
    }

    /// An event of the run, encoded. Queued unless the client already has it or is waiting for a snapshot.
    /// Log lines for a client with more than the log budget waiting are skipped (said in a `skipped` frame),
    /// so state changes never wait behind a flood; past the queue's limit the client's queued events are
    /// dropped and it asks for a fresh snapshot.
    public mutating func published(_ event: EncodedEvent) -> [Action] {
        guard case .live = phase, event.last > lastSequence else { return [] }
        let watchedOne = watchedPass && event.job.map(watched.contains) == true
        if event.isLog && queuedBytes > logBudget && !watchedOne {
            skipping = (skipping?.from ?? lastSequence + 1, event.last)
            lastSequence = event.last
            skippedLines += event.last - event.first + 1
            return []
        }
        let marker = skipping.map { FrameCodec.encode(ServerFrame.skipped(from: $0.from, to: $0.to)) } ?? []
        if queuedBytes + marker.count + event.bytes.count > queueLimit {
            dropUnstarted()
            resyncs += 1
            phase = .waitingForSnapshot
            return [.wantSnapshot]
        }
        if !marker.isEmpty { enqueue(marker) }
        skipping = nil
        if event.isLog && queuedBytes > logBudget { watchedPass = false }
        enqueue(event.bytes)
        lastSequence = event.last
        return []
    }

    /// The run's snapshot as of `sequence`, encoded, answering `wantSnapshot`. Always queued (the queue's
    /// events were dropped before it was asked for), so the client's memory cost is one snapshot plus the limit.
    public mutating func snapshot(sequence: UInt64, bytes: [UInt8]) {
        guard case .waitingForSnapshot = phase else { return }
        skipping = nil
        enqueue(bytes)
        lastSequence = sequence
        phase = .live
    }

    /// The run's answer to command `id`.
    public mutating func replied(id: UInt64, _ reply: CommandReply) -> [Action] {
        guard !isClosed else { return [] }
        // Replies are kept when events are dropped, so only a client that sends commands and never reads
        // its answers can pile them up: it is cut off.
        if queuedBytes > 2 * queueLimit { return end("the client does not read the answers to its commands") }
        enqueue(FrameCodec.encode(ServerFrame.reply(id: id, reply: reply)), reply: true)
        return []
    }

    /// The server lost events (it fell behind the run): drop what is queued and wait for a fresh snapshot.
    public mutating func resync() -> [Action] {
        guard case .live = phase else { return [] }
        dropUnstarted()
        resyncs += 1
        phase = .waitingForSnapshot
        return [.wantSnapshot]
    }

    /// The server is closing this connection (the run ended and stopped serving).
    public mutating func shutDown(_ reason: String) -> [Action] {
        guard !isClosed else { return [] }
        return end(reason)
    }

    // MARK: - Output

    /// The bytes to write next (nil when nothing waits).
    public var nextOutput: ArraySlice<UInt8>? {
        guard head < queue.count else { return nil }
        return queue[head][headOffset...]
    }

    /// The queued output from where the last write stopped, as many whole frames as fit in `limit` bytes (at
    /// least the first): one send for a burst of events instead of one per frame.
    public func nextOutput(upTo limit: Int) -> [UInt8]? {
        withOutput(upTo: limit, maxFrames: .max) { buffers in buffers.reduce(into: [UInt8]()) { $0 += $1 } }
    }

    /// Calls `body` with the queued output from where the last write stopped — as many whole frames as fit in
    /// `limit` bytes (at least the first), at most `maxFrames` — in place, for one vectored send: the frames an
    /// event makes are shared by every client and never copied. Nil when nothing waits.
    public func withOutput<R>(upTo limit: Int, maxFrames: Int = 64,
                              _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R? {
        guard head < queue.count else { return nil }
        var buffers: [UnsafeRawBufferPointer] = []
        buffers.reserveCapacity(min(max(1, maxFrames), queue.count - head))
        return try gather(head, bytes: 0, limit: limit, maxFrames: max(1, maxFrames), into: &buffers, body)
    }

    /// Adds frame `i` and the ones after it (while they fit) to `buffers`, each valid inside its own
    /// `withUnsafeBytes`, then calls `body` inside the innermost.
    private func gather<R>(_ i: Int, bytes: Int, limit: Int, maxFrames: Int, into buffers: inout [UnsafeRawBufferPointer],
                           _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
        guard i < queue.count, buffers.count < maxFrames else { return try body(buffers) }
        let skip = i == head ? headOffset : 0
        guard buffers.isEmpty || bytes + queue[i].count - skip <= limit else { return try body(buffers) }
        return try queue[i].withUnsafeBytes { raw in
            buffers.append(UnsafeRawBufferPointer(rebasing: raw[skip...]))
            return try gather(i + 1, bytes: bytes + raw.count - skip, limit: limit, maxFrames: maxFrames, into: &buffers, body)
        }
    }

    /// `count` bytes of `nextOutput` (or of `withOutput`/`nextOutput(upTo:)`, which may span frames) were written.
    public mutating func wrote(_ count: Int) {
        if count > 0 { watchedPass = true }
        var left = count
        while left > 0 && head < queue.count {
            let step = min(left, queue[head].count - headOffset)
            headOffset += step
            queuedBytes -= step
            left -= step
            if headOffset >= queue[head].count {
                queue[head] = []
                head += 1
                headOffset = 0
            }
        }
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            isReply.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            isReply.removeFirst(head)
            head = 0
        }
    }

    // MARK: - Frames

    private mutating func handle(_ line: [UInt8]) -> [Action] {
        guard let frame = FrameCodec.decode(ClientFrame.self, line) else {
            return end("not a frame of protocol \(ControlProtocol.version)")
        }
        switch (phase, frame) {
        case let (.greeting, .hello(version, client)):
            guard version == ControlProtocol.version else {
                return end("protocol version \(version) is not spoken here (this metajob speaks \(ControlProtocol.version))")
            }
            self.client = client
            enqueue(hello)
            phase = .waitingForSnapshot
            return [.wantSnapshot]
        case (.greeting, _):
            return end("the first frame must be hello")
        case (_, .hello):
            return end("hello was already said")
        case let (_, .command(id, command)):
            return [.command(id: id, command)]
        case (.live, .resync):
            dropUnstarted()
            phase = .waitingForSnapshot
            return [.wantSnapshot]
        case (_, .resync):
            return []
        case let (_, .watch(jobs)):
            watched = Set(jobs)
            return [.watch(watched)]
        case let (_, .sync(id)):
            return [.syncHistory(id: id)]
        }
    }

    private mutating func end(_ reason: String, bye: Bool = true) -> [Action] {
        if bye {
            dropUnstarted()
            enqueue(FrameCodec.encode(ServerFrame.bye(reason: reason)))
        } else {
            dropUnstarted()
        }
        phase = .closed(reason: reason)
        return [.close(reason: reason)]
    }

    private mutating func enqueue(_ bytes: [UInt8], reply: Bool = false) {
        queue.append(bytes)
        isReply.append(reply)
        queuedBytes += bytes.count
    }

    /// Drops every queued frame not yet begun (a frame half written must be finished, or the stream breaks),
    /// except replies.
    private mutating func dropUnstarted() {
        var kept: [[UInt8]] = []
        var keptReplies: [Bool] = []
        var bytes = 0
        for i in head ..< queue.count where (i == head && headOffset > 0) || isReply[i] {
            kept.append(queue[i])
            keptReplies.append(isReply[i])
            bytes += queue[i].count - (i == head ? headOffset : 0)
        }
        if !(head < queue.count && headOffset > 0) { headOffset = 0 }
        queue = kept
        isReply = keptReplies
        head = 0
        queuedBytes = bytes
        skipping = nil
    }
}
