/// Reads a control socket's event line (`{"event":{"_0":{…}}}`, the shape `JSONEncoder` gives `RunEvent`) by hand:
/// an attached dashboard reads every event of the run, and Foundation's decoder spent most of its process's
/// CPU on them (DAG10K: ~60 %). Anything it does not recognise exactly is left to the `Codable` decoder (nil).
public enum EventFrameReader {
    private static let prefix: [UInt8] = Array("{\"event\":".utf8)

    /// The event in `line` (without its newline), or nil when the line is not an event frame this reader knows.
    public static func event(_ line: [UInt8]) -> RunEvent? {
        guard let body = DefinitionNode.frame(line, startingWith: prefix)?["event"]?["_0"],
              let sequence = body["sequence"]?.uint64, let time = body["time"]?.double,
              let kindNode = body["kind"], let kind = self.kind(kindNode) else { return nil }
        return RunEvent(sequence: sequence, time: time, kind: kind)
    }

    private static func kind(_ node: DefinitionNode) -> RunEvent.Kind? {
        guard case .mapping(let entries) = node.content, entries.count == 1, let name = entries[0].key.string else { return nil }
        let payload = entries[0].value
        switch name {
        case "runStarted": return .runStarted
        case "runReopened": return .runReopened
        case "job": return payload["_0"].flatMap(update).map { .job($0) }
        case "controls":
            guard let paused = payload["paused"]?.boolValue, let limit = payload["limit"]?.int else { return nil }
            return .controls(paused: paused, limit: limit)
        case "runFinished":
            return payload["_0"]?.string.flatMap(RunOutcome.init(rawValue:)).map { .runFinished($0) }
        case "log":
            guard let job = payload["job"]?.int, let attempt = payload["attempt"]?.int,
                  let stream = payload["stream"]?.string.flatMap(LogStream.init(rawValue:)),
                  let lines = payload["lines"], let text = lines["bytes"]?.string, let bytes = Base64.decode(text),
                  let ends = lines["ends"]?.ints else { return nil }
            let unterminated = lines["unterminated"].map { $0.ints } ?? []
            guard let unterminated, let checked = LogLines(checking: bytes, ends: ends, unterminated: unterminated) else { return nil }
            return .log(job: job, attempt: attempt, stream: stream, lines: checked)
        default:
            return nil
        }
    }

    private static func update(_ node: DefinitionNode) -> JobUpdate? {
        guard let job = node["job"]?.int, let state = node["state"]?.string.flatMap(JobState.init(rawValue:)),
              let attempt = node["attempt"]?.int else { return nil }
        var update = JobUpdate(job: job, state: state, attempt: attempt)
        if let value = node["exitCode"] { guard let code = value.int, let exit = Int32(exactly: code) else { return nil }; update.exitCode = exit }
        if let value = node["reason"] { guard let reason = value.string else { return nil }; update.reason = reason }
        if let value = node["executionId"] { guard let id = value.string else { return nil }; update.executionId = id }
        if let value = node["delayReason"] { guard let delay = delayReason(value) else { return nil }; update.delayReason = delay }
        if let value = node["readyAt"] { guard let at = value.double else { return nil }; update.readyAt = at }
        if let value = node["maxAttempts"] { guard let max = value.int else { return nil }; update.maxAttempts = max }
        return update
    }

    /// A `DelayReason` as JSONEncoder writes it (also read in snapshots).
    static func delayReason(_ node: DefinitionNode) -> DelayReason? {
        guard case .mapping(let entries) = node.content, entries.count == 1, let name = entries[0].key.string else { return nil }
        switch name {
        case "conflict": return entries[0].value["message"]?.string.map { .conflict(message: $0) }
        case "serverError": return entries[0].value["message"]?.string.map { .serverError(message: $0) }
        case "retryBackoff": return .retryBackoff
        default: return nil
        }
    }
}
