/// Reads a control socket's snapshot line (`{"snapshot":{"_0":{…}}}`, the shape `JSONEncoder` gives
/// `RunSnapshot`) by hand: attaching to a 10,000-job run waits for it (and a dashboard's own run starts only
/// once it is read), and Foundation's decoder took ~40 % of `metajob attach`'s time to its first frame.
/// Anything it does not recognise exactly is left to the `Codable` decoder (nil).
public enum SnapshotFrameReader {
    private static let prefix: [UInt8] = Array("{\"snapshot\":".utf8)

    /// The snapshot in `line` (without its newline), or nil when the line is not a snapshot frame this reader knows.
    public static func snapshot(_ line: [UInt8]) -> RunSnapshot? {
        guard let body = DefinitionNode.frame(line, startingWith: prefix)?["snapshot"]?["_0"],
              let outline = body["outline"].flatMap(outline),
              case .sequence(let items)? = body["jobs"]?.content,
              let phase = body["phase"].flatMap(phase),
              let paused = body["paused"]?.boolValue, let limit = body["limit"]?.int,
              let sequence = body["sequence"]?.uint64, let origin = body["wallClockOrigin"]?.double else { return nil }
        var jobs: [JobProgress] = []
        jobs.reserveCapacity(items.count)
        for item in items {
            guard let job = progress(item) else { return nil }
            jobs.append(job)
        }
        return RunSnapshot(outline: outline, jobs: jobs, phase: phase, paused: paused, limit: limit,
                           sequence: sequence, wallClockOrigin: origin)
    }

    private static func outline(_ node: DefinitionNode) -> RunOutline? {
        guard let runId = node["runId"]?.string, let name = node["metaJobName"]?.string,
              let startedBy = node["startedBy"]?.string, case .sequence(let items)? = node["jobs"]?.content else { return nil }
        var jobs: [JobOutline] = []
        jobs.reserveCapacity(items.count)
        for item in items {
            guard let jobName = item["name"]?.string, let retries = item["retries"]?.int,
                  let failDag = item["failDagOnError"]?.boolValue,
                  case .sequence(let deps)? = item["dependsOn"]?.content else { return nil }
            var dependsOn: [String] = []
            for dep in deps {
                guard let d = dep.string else { return nil }
                dependsOn.append(d)
            }
            var team: String?
            if let value = item["team"] { guard let t = value.string else { return nil }; team = t }
            jobs.append(JobOutline(name: jobName, team: team, dependsOn: dependsOn, retries: retries, failDagOnError: failDag))
        }
        return RunOutline(runId: runId, metaJobName: name, startedBy: startedBy, jobs: jobs)
    }

    private static func phase(_ node: DefinitionNode) -> RunPhase? {
        guard case .mapping(let entries) = node.content, entries.count == 1, let name = entries[0].key.string else { return nil }
        switch name {
        case "notStarted": return .notStarted
        case "running": return .running
        case "finished": return entries[0].value["_0"]?.string.flatMap(RunOutcome.init(rawValue:)).map { .finished($0) }
        default: return nil
        }
    }

    private static func progress(_ node: DefinitionNode) -> JobProgress? {
        guard let state = node["state"]?.string.flatMap(JobState.init(rawValue:)), let attempt = node["attempt"]?.int,
              let maxAttempts = node["maxAttempts"]?.int, case .sequence(let spanItems)? = node["spans"]?.content else { return nil }
        var p = JobProgress(state: state, maxAttempts: maxAttempts)
        p.attempt = attempt
        if let value = node["exitCode"] { guard let code = value.int, let exit = Int32(exactly: code) else { return nil }; p.exitCode = exit }
        if let value = node["reason"] { guard let reason = value.string else { return nil }; p.reason = reason }
        if let value = node["executionId"] { guard let id = value.string else { return nil }; p.executionId = id }
        if let value = node["startedAt"] { guard let t = value.double else { return nil }; p.startedAt = t }
        if let value = node["endedAt"] { guard let t = value.double else { return nil }; p.endedAt = t }
        if let value = node["delayReason"] { guard let d = EventFrameReader.delayReason(value) else { return nil }; p.delayReason = d }
        if let value = node["readyAt"] { guard let t = value.double else { return nil }; p.readyAt = t }
        if let value = node["reusedFrom"] { guard let r = value.string else { return nil }; p.reusedFrom = r }
        for item in spanItems {
            guard let spanAttempt = item["attempt"]?.int, let start = item["start"]?.double,
                  let spanState = item["state"]?.string.flatMap(JobState.init(rawValue:)) else { return nil }
            var end: Double?
            if let value = item["end"] { guard let e = value.double else { return nil }; end = e }
            p.spans.append(AttemptSpan(attempt: spanAttempt, start: start, end: end, state: spanState))
        }
        return p
    }
}
