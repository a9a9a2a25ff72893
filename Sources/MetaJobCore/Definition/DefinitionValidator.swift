/// Turns a `DefinitionNode` tree into a `MetaJobDefinition`, collecting every issue instead of stopping
/// at the first, with VDK's four error types and message style.
struct DefinitionValidator {
    /// Top-level keys of the mapping form.
    static let topLevelKeys = [
        "name", "team", "executor", "max_concurrent_running_jobs", "delayed_jobs_min_delay_seconds",
        "delayed_jobs_randomized_added_delay_seconds", "time_between_status_check_seconds",
        "control_service_url", "notifications", "jobs",
    ]
    /// Job dict keys: VDK's, then ours.
    static let jobKeys = JobKey.allCases.map(\.name)
    /// VDK's required job dict keys.
    static let requiredJobKeys = JobKey.required.map(\.name)
    private static let jobKeyIndex: [String: JobKey] =
        Dictionary(uniqueKeysWithValues: JobKey.allCases.map { ($0.name, $0) })

    /// The longest duration in seconds a definition may give (about 31.7 years): the runtime's clock counts
    /// nanoseconds in 64 bits (at most ~9.2e9 s), and a deadline is a duration added to the current time.
    static let maxDurationSeconds = 1_000_000_000.0
    /// The longest string (bytes, without its terminating NUL) the kernel takes as one argv item or one
    /// `NAME=value` environment entry: Linux's MAX_ARG_STRLEN, 32 pages of 4 KiB, including the NUL.
    static let maxArgumentBytes = 131_071

    /// How many unknown dependencies get a did-you-mean search over all job names; past that the search
    /// (linear in the number of jobs) would make a file full of typos quadratic.
    private static let maxDependencyHints = 100

    var issues: [ValidationIssue] = []
    private let defaultName: String
    private let directory: String
    private var dependencyHints = 0
    private let defaultTeam: String?
    /// The meta job's executor from the file (jobs without their own are checked against it).
    private var metaExecutor: ExecutorKind?

    init(defaultName: String, directory: String, defaultTeam: String? = nil) {
        self.defaultName = defaultName
        self.directory = directory
        self.defaultTeam = defaultTeam
    }

    /// The definition, or nil when there were issues (then see `issues`).
    mutating func validate(_ root: DefinitionNode) -> MetaJobDefinition? {
        var name = defaultName
        var team: String? = defaultTeam
        var settings = DefinitionSettings()
        var jobsNode: DefinitionNode?
        switch root.content {
        case .sequence:
            // VDK's JOBS_RUN_ORDER form: the file is just the list of jobs.
            jobsNode = root
        case .mapping(let entries):
            var seen: [String: DefinitionNode] = [:]
            var disallowed: [DefinitionNode] = []
            for entry in entries {
                let key = entry.key.text
                if let first = seen[key] {
                    reportDuplicateKey(key, lines: [first.lineNumber, entry.key.lineNumber], job: nil,
                                       line: entry.key.lineNumber)
                    continue
                }
                seen[key] = entry.key
                let value = entry.value
                let line = entry.key.lineNumber
                switch key {
                case "name":
                    if let s = topString(key, value, line: line) {
                        if s.isEmpty {
                            addRange(key, value, expectation: "a non-empty string", job: nil, line: line)
                        } else if s.unicodeScalars.contains(where: JobName.isHidden) {
                            issues.append(ValidationIssue(
                                kind: .type, jobs: [],
                                reason: "The meta job name \(JobName.escaped(s)) contains control or bidirectional formatting characters.",
                                countermeasure: "Use visible characters only in name, for example letters, digits, '-' and '_'.",
                                line: line))
                        } else {
                            name = s
                        }
                    }
                case "team": team = topString(key, value, line: line)
                case "executor":
                    settings.executor = executorKind(key, value, job: nil, line: line)
                    metaExecutor = settings.executor
                case "max_concurrent_running_jobs":
                    settings.maxConcurrentRunningJobs = integer(key, value, minimum: 1, job: nil, line: line)
                case "delayed_jobs_min_delay_seconds":
                    settings.delayedJobsMinDelaySeconds = duration(key, value, positive: false, job: nil, line: line)
                case "delayed_jobs_randomized_added_delay_seconds":
                    settings.delayedJobsRandomizedAddedDelaySeconds =
                        duration(key, value, positive: false, job: nil, line: line)
                case "time_between_status_check_seconds":
                    settings.timeBetweenStatusCheckSeconds = duration(key, value, positive: false, job: nil, line: line)
                case "control_service_url": settings.controlServiceURL = topString(key, value, line: line)
                case "notifications": settings.notifications = notifications(value, line: line)
                case "jobs":
                    if case .sequence = value.content {
                        jobsNode = value
                    } else {
                        addType(key, value, expected: "list", job: nil, line: line)
                    }
                default:
                    disallowed.append(entry.key)
                }
            }
            if !disallowed.isEmpty {
                let names = disallowed.map { keyName($0) }
                issues.append(ValidationIssue(
                    kind: .permission, jobs: [],
                    reason: "One or more top-level keys are not allowed.",
                    countermeasure: "Remove the disallowed top-level keys. Keys [\(names.joined(separator: ", "))] "
                        + "are not allowed. Allowed keys: {\(Self.topLevelKeys.joined(separator: ", "))}."
                        + hints(for: names, among: Self.topLevelKeys),
                    line: disallowed[0].lineNumber))
            }
            if seen["jobs"] == nil {
                issues.append(ValidationIssue(
                    kind: .requirement, jobs: [],
                    reason: "The required top-level key jobs is missing.",
                    countermeasure: "Add a jobs list of Data Job Dicts, e.g. `jobs: [{job_name: a, depends_on: []}]`.",
                    line: root.lineNumber))
            }
        default:
            issues.append(ValidationIssue(
                kind: .type, jobs: [],
                reason: "The top level of the definition is a \(root.typeName), not a mapping or a list.",
                countermeasure: "Write a mapping with a jobs list (`jobs: [{job_name: a, depends_on: []}]`), "
                    + "or just the list of Data Job Dicts.",
                line: root.lineNumber))
        }

        // Jobs that could not be read (not a mapping, no string name) keep a placeholder so indexes stay
        // aligned; `present` tells them apart. Kept non-optional so the result needs no copy at the end.
        var jobs: [JobDefinition] = []
        var present: [Bool] = []
        if let jobsNode, case .sequence(let items) = jobsNode.content {
            jobs.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                if let job = validateJob(item, index: index, team: team) {
                    jobs.append(job)
                    present.append(true)
                } else {
                    jobs.append(JobDefinition(name: ""))
                    present.append(false)
                }
            }
        }
        checkGraph(jobs, present: present)

        guard issues.isEmpty else {
            // Stable sort by line: readers get the report in file order, the checks' order within a line.
            issues = issues.enumerated()
                .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
                .map(\.element)
            return nil
        }
        return MetaJobDefinition(name: name, team: team, settings: settings, jobs: jobs,
                                 directory: directory)
    }

    // MARK: - Jobs

    /// Validates one job dict. Returns a job with whatever parsed (defaults elsewhere) when it has a name,
    /// so cross-job checks can still run; issues go to `issues`.
    private mutating func validateJob(_ node: DefinitionNode, index: Int, team: String?) -> JobDefinition? {
        let line = node.lineNumber
        guard case .mapping(let entries) = node.content else {
            issues.append(ValidationIssue(
                kind: .type, jobs: [],
                reason: "The type of the job dict at position \(index + 1) is not mapping.",
                countermeasure: "Check the Data Job Dict type. Current type is \(node.typeName). Expected type is "
                    + "mapping (a Data Job Dict such as `{job_name: a, depends_on: []}`).",
                line: line))
            return nil
        }
        // One slot per allowed key; a second occurrence is a conflict and is ignored.
        var slots = [DefinitionNode?](repeating: nil, count: Self.jobKeys.count)
        var slotLines = [Int](repeating: 0, count: Self.jobKeys.count)
        var keyLines: [[Int]] = []
        var duplicated: [Int] = []
        var disallowed: [String] = []
        for entry in entries {
            guard case .string = entry.key.content, let key = Self.jobKeyIndex[entry.key.text] else {
                disallowed.append(keyName(entry.key))
                continue
            }
            let k = key.rawValue
            if slots[k] != nil {
                if keyLines.isEmpty { keyLines = Array(repeating: [], count: Self.jobKeys.count) }
                if !duplicated.contains(k) {
                    duplicated.append(k)
                    keyLines[k].append(slotLines[k])
                }
                keyLines[k].append(entry.key.lineNumber)
                continue
            }
            slots[k] = entry.value
            slotLines[k] = entry.key.lineNumber
        }
        // Slots are an array indexed by `JobKey` (a dictionary lookup per key and job would show up at 100k jobs).
        func slot(_ key: JobKey) -> DefinitionNode? { slots[key.rawValue] }

        // The job's label for issues: its name if it is a string, else the scalar as written.
        let nameNode = slot(.jobName)
        var label: [String] = []
        if let nameNode, nameNode.text.isEmpty == false { label = [JobName.problem(nameNode.text) == nil ? nameNode.text : JobName.escaped(nameNode.text)] }
        let job = JobContext(label: label, line: line)

        if !disallowed.isEmpty {
            issues.append(ValidationIssue(
                kind: .permission, jobs: label,
                reason: "One or more job dict keys are not allowed.",
                countermeasure: "Remove the disallowed Data Job Dict keys. Keys [\(disallowed.joined(separator: ", "))] "
                    + "are not allowed. Allowed keys: {\(Self.jobKeys.joined(separator: ", "))}."
                    + hints(for: disallowed, among: Self.jobKeys),
                line: line))
        }
        let missing = JobKey.required.filter { slot($0) == nil }.map(\.name)
        if !missing.isEmpty {
            issues.append(ValidationIssue(
                kind: .requirement, jobs: label,
                reason: "One or more job dict required keys are missing.",
                countermeasure: "Add the missing required Data Job Dict keys. Keys [\(missing.joined(separator: ", "))] "
                    + "are missing. Required keys: {\(Self.requiredJobKeys.joined(separator: ", "))}.",
                line: line))
        }
        for k in duplicated {
            let key = JobKey.allCases[k].name
            reportDuplicateKey(key, lines: keyLines[k], job: job, line: line)
        }

        var result = JobDefinition(name: "", teamName: team, line: line)
        var valid = true
        if let nameNode {
            if let s = nameNode.string {
                result.name = s
                if let problem = JobName.problem(s) {
                    issues.append(ValidationIssue(kind: problem.kind, jobs: label, reason: problem.reason,
                                                  countermeasure: problem.fix, line: line))
                    valid = false
                }
            } else {
                addType("job_name", nameNode, expected: "string", job: job)
                valid = false
            }
        } else {
            valid = false
        }
        if let deps = slot(.dependsOn) {
            if let list = stringList("depends_on", deps, job: job) { result.dependsOn = list } else { valid = false }
        } else {
            valid = false
        }
        if let n = slot(.teamName), let s = jobString("team_name", n, job: job) { result.teamName = s }
        let failDag = slot(.failDagOnError), failMeta = slot(.failMetaJobOnError)
        if failDag != nil, failMeta != nil {
            issues.append(ValidationIssue(
                kind: .conflict, jobs: label,
                reason: "The job dict keys fail_dag_on_error and fail_meta_job_on_error are both set.",
                countermeasure: "Keep only fail_dag_on_error: fail_meta_job_on_error is its older name.",
                line: line))
        }
        if let n = failDag ?? failMeta {
            let key = failDag != nil ? "fail_dag_on_error" : "fail_meta_job_on_error"
            if case .bool(let b) = n.content { result.failDagOnError = b } else {
                addType(key, n, expected: "boolean", job: job)
            }
        }
        if let n = slot(.arguments) {
            if case .mapping = n.content {
                result.arguments = jsonValue(n, key: "arguments", job: job)
                if let text = result.arguments?.jsonText,
                   text.utf8.count + "METAJOB_ARGUMENTS=".utf8.count > Self.maxArgumentBytes {
                    addTooLong("arguments", bytes: text.utf8.count, what: "as JSON", job: job)
                }
            } else {
                addType("arguments", n, expected: "mapping", job: job)
            }
        }
        if let n = slot(.command) { result.command = command(n, job: job) }
        if let n = slot(.workingDirectory) {
            result.workingDirectory = jobString("working_directory", n, job: job)
            if let s = result.workingDirectory, s.utf8.contains(0) { addNUL("working_directory", job: job) }
        }
        if let n = slot(.env) { result.env = environment(n, job: job) }
        if let n = slot(.timeoutSeconds) {
            result.timeoutSeconds = duration("timeout_seconds", n, positive: true, job: job, line: line)
        }
        if let n = slot(.retries), let r = integer("retries", n, minimum: 0, job: job, line: line) {
            result.retries = r
        }
        if let n = slot(.retryDelaySeconds),
           let d = duration("retry_delay_seconds", n, positive: false, job: job, line: line) {
            result.retryDelaySeconds = d
        }
        if let n = slot(.executor) { result.executor = executorKind("executor", n, job: job, line: line) }
        if valid, (result.executor ?? metaExecutor) == .remote, let problem = JobName.remoteProblem(result.name) {
            issues.append(ValidationIssue(
                kind: .type, jobs: label, reason: problem,
                countermeasure: "Use the data job's name as deployed, e.g. `\(JobName.suggestedRemoteName(result.name))`.",
                line: line))
        }
        if valid { return result }
        // A job whose name parsed but whose depends_on did not still takes part in the name checks, with no
        // dependencies, so its dependents are not reported as depending on an unknown job.
        guard nameNode?.string != nil else { return nil }
        result.dependsOn = []
        return result
    }

    // MARK: - Cross-job checks

    private mutating func checkGraph(_ jobs: [JobDefinition], present: [Bool]) {
        var firstIndex: [String: Int] = [:]
        firstIndex.reserveCapacity(jobs.count)
        var duplicates: [String: [Int]] = [:]
        var duplicateOrder: [String] = []
        for (i, job) in jobs.enumerated() {
            guard present[i] else { continue }
            if let first = firstIndex[job.name] {
                if duplicates[job.name] == nil {
                    duplicates[job.name] = [jobs[first].line]
                    duplicateOrder.append(job.name)
                }
                duplicates[job.name]!.append(job.line)
            } else {
                firstIndex[job.name] = i
            }
        }
        for raw in duplicateOrder {
            let lines = duplicates[raw]!
            let name = Self.shown(raw)
            issues.append(ValidationIssue(
                kind: .conflict, jobs: [name],
                reason: "There are some duplicated jobs: [\(name)] (lines \(lines.map(String.init).joined(separator: ", "))).",
                countermeasure: "Remove the duplicated jobs from the list or rename them - each job name can appear "
                    + "in the jobs list at most once. Duplicated jobs: [\(name)].",
                line: lines[1]))
        }

        // Resolve every dependency once: edges (dependency → dependent) feed the cycle pre-check, misses are
        // reported as unknown jobs.
        var edgeFrom: [Int32] = [], edgeTo: [Int32] = []
        var inDegree = [Int32](repeating: 0, count: jobs.count)
        var jobNames: [String]?
        for (i, job) in jobs.enumerated() {
            guard present[i] else { continue }
            var unknown: [String] = []
            for dep in job.dependsOn {
                if let d = firstIndex[dep] {
                    edgeFrom.append(Int32(d))
                    edgeTo.append(Int32(i))
                    inDegree[i] += 1
                } else if !unknown.contains(dep) {
                    unknown.append(dep)
                }
            }
            guard !unknown.isEmpty else { continue }
            var hint = ""
            for dep in unknown where dependencyHints < Self.maxDependencyHints {
                dependencyHints += 1
                if jobNames == nil { jobNames = zip(jobs, present).filter(\.1).map(\.0.name) }
                if let close = SpellingHint.closest(to: dep, in: jobNames!) {
                    hint += " Did you mean `\(close)` instead of \(JobName.escaped(dep))?"
                }
            }
            let list = unknown.map(Self.shown).joined(separator: ", ")
            let name = Self.shown(job.name)
            issues.append(ValidationIssue(
                kind: .requirement, jobs: [name],
                reason: "The job \(name) depends on [\(list)], which \(unknown.count == 1 ? "is not a job" : "are not jobs") "
                    + "of this meta job.",
                countermeasure: "Add the missing jobs [\(list)] to the jobs list, or remove them from the depends_on of "
                    + "\(name).\(hint)",
                line: job.line))
        }

        // With duplicated names, dependencies resolve to each name's first job, as they do above; the
        // duplicate is reported already, and cycles among the other jobs are still worth knowing now.
        guard Self.hasCycle(count: jobs.count, present: present, edgeFrom: edgeFrom, edgeTo: edgeTo,
                            inDegree: inDegree) else { return }
        let known = zip(jobs, present).filter(\.1).map(\.0)
        let cycles = JobGraph.findCycles(names: known.map(\.name), dependsOn: known.map(\.dependsOn))
        for path in cycles {
            let members = Array(path.dropLast())
            let line = firstIndex[path[0]].map { jobs[$0].line }
            issues.append(ValidationIssue(
                kind: .conflict, jobs: members,
                reason: "There is a cycle in the DAG: \(path.joined(separator: " → ")).",
                countermeasure: "Remove one of the dependencies in the cycle so that no job depends on itself, "
                    + "directly or through other jobs.",
                line: line))
        }
    }

    /// Kahn's algorithm over flat edge arrays: cheap enough to run on every load, so the full cycle search
    /// (which builds a `JobGraph`) only runs when there is a cycle to describe.
    private static func hasCycle(count: Int, present: [Bool], edgeFrom: [Int32], edgeTo: [Int32],
                                 inDegree: [Int32]) -> Bool {
        // Dependents in compressed rows: offsets[d]..<offsets[d + 1] index into `targets`.
        var offsets = [Int](repeating: 0, count: count + 1)
        for d in edgeFrom { offsets[Int(d) + 1] += 1 }
        for i in 0..<count { offsets[i + 1] += offsets[i] }
        var fill = offsets
        var targets = [Int32](repeating: 0, count: edgeFrom.count)
        for (d, t) in zip(edgeFrom, edgeTo) {
            targets[fill[Int(d)]] = t
            fill[Int(d)] += 1
        }
        var remaining = inDegree
        var queue: [Int32] = []
        queue.reserveCapacity(count)
        var expected = 0
        for i in 0..<count where present[i] {
            expected += 1
            if remaining[i] == 0 { queue.append(Int32(i)) }
        }
        var cursor = 0
        while cursor < queue.count {
            let j = Int(queue[cursor])
            cursor += 1
            for k in offsets[j]..<offsets[j + 1] {
                let t = Int(targets[k])
                remaining[t] -= 1
                if remaining[t] == 0 { queue.append(Int32(t)) }
            }
        }
        return queue.count < expected
    }

    // MARK: - Values

    /// Where an issue points: the job's label and start line.
    struct JobContext {
        var label: [String]
        var line: Int
    }

    private mutating func command(_ node: DefinitionNode, job: JobContext) -> JobCommand? {
        switch node.content {
        case .string:
            if node.text.isEmpty {
                addRange("command", node, expectation: "a non-empty string or a non-empty list of strings", job: job,
                         line: job.line)
                return nil
            }
            if node.text.utf8.contains(0) { addNUL("command", job: job); return nil }
            if node.text.utf8.count > Self.maxArgumentBytes {
                addTooLong("command", bytes: node.text.utf8.count, what: "", job: job)
                return nil
            }
            return .shell(node.text)
        case .sequence(let items):
            guard !items.isEmpty else {
                addRange("command", node, expectation: "a non-empty string or a non-empty list of strings", job: job,
                         line: job.line)
                return nil
            }
            guard let argv = stringList("command", node, job: job) else { return nil }
            for (i, item) in argv.enumerated() {
                if item.utf8.contains(0) { addNUL("command[\(i)]", job: job); return nil }
                if item.utf8.count > Self.maxArgumentBytes {
                    addTooLong("command[\(i)]", bytes: item.utf8.count, what: "", job: job)
                    return nil
                }
            }
            return .argv(argv)
        default:
            addType("command", node, expected: "string or list", job: job)
            return nil
        }
    }

    private mutating func environment(_ node: DefinitionNode, job: JobContext) -> [EnvironmentVariable] {
        guard case .mapping(let entries) = node.content else {
            addType("env", node, expected: "mapping", job: job)
            return []
        }
        var result: [EnvironmentVariable] = []
        var seen: [String: Int] = [:]
        for entry in entries {
            guard case .string = entry.key.content, !entry.key.text.isEmpty,
                  !entry.key.text.utf8.contains(UInt8(ascii: "=")), !entry.key.text.utf8.contains(0) else {
                issues.append(ValidationIssue(
                    kind: .type, jobs: job.label,
                    reason: "The job dict key env has an invalid variable name: \(keyName(entry.key)).",
                    countermeasure: "Use non-empty string names without '=' for the env variables of the job.",
                    line: job.line))
                continue
            }
            if let first = seen[entry.key.text] {
                reportDuplicateKey(entry.key.text, lines: [first, entry.key.lineNumber], job: job, line: job.line,
                                   inside: "env")
                continue
            }
            seen[entry.key.text] = entry.key.lineNumber
            switch entry.value.content {
            case .string, .integer, .float, .bool:
                // Numbers and booleans are taken as written (`PORT: 8080` means "8080").
                if entry.value.text.utf8.contains(0) {
                    addNUL("env.\(entry.key.text)", job: job)
                } else if entry.key.text.utf8.count + 1 + entry.value.text.utf8.count > Self.maxArgumentBytes {
                    addTooLong("env.\(entry.key.text)", bytes: entry.key.text.utf8.count + 1 + entry.value.text.utf8.count,
                               what: "as NAME=value", job: job)
                } else {
                    result.append(EnvironmentVariable(name: entry.key.text, value: entry.value.text))
                }
            default:
                issues.append(ValidationIssue(
                    kind: .type, jobs: job.label,
                    reason: "The type of the env variable \(entry.key.text) of the job dict key env is not string.",
                    countermeasure: "Check the Data Job Dict type of the env.\(entry.key.text) key. Current type is "
                        + "\(entry.value.typeName). Expected type is string.",
                    line: job.line))
            }
        }
        return result
    }

    /// `arguments` as JSON: keys must be strings and every value encodable (no NaN/infinity, 64-bit integers).
    private mutating func jsonValue(_ node: DefinitionNode, key: String, job: JobContext) -> JSONValue? {
        switch node.content {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .integer(let i):
            guard let i else {
                // Beyond 64 bits: Python's json.dumps writes the digits, and so do we.
                guard let digits = JSONValue.decimalInteger(node.text) else {
                    addRange(key, node, expectation: "a decimal integer", job: job, line: job.line)
                    return nil
                }
                return .bigInt(digits)
            }
            return .int(i)
        case .float(let d):
            // Infinities and NaN pass as json.dumps writes them (Infinity, -Infinity, NaN), as VDK passes them.
            return .double(d)
        case .string: return .string(node.text)
        case .sequence(let items):
            var out: [JSONValue] = []
            out.reserveCapacity(items.count)
            var ok = true
            for (i, item) in items.enumerated() {
                if let v = jsonValue(item, key: "\(key)[\(i)]", job: job) { out.append(v) } else { ok = false }
            }
            return ok ? .array(out) : nil
        case .mapping(let entries):
            var out: [(key: String, value: JSONValue)] = []
            out.reserveCapacity(entries.count)
            var seen: [String: Int] = [:]
            var ok = true
            for entry in entries {
                guard case .string = entry.key.content else {
                    issues.append(ValidationIssue(
                        kind: .type, jobs: job.label,
                        reason: "The type of a key in the job dict key \(key) is not string.",
                        countermeasure: "Check the Data Job Dict type of the \(key) keys. Key \(keyName(entry.key)) is "
                            + "\(entry.key.typeName). Expected type is string.",
                        line: job.line))
                    ok = false
                    continue
                }
                if let first = seen[entry.key.text] {
                    reportDuplicateKey(entry.key.text, lines: [first, entry.key.lineNumber], job: job, line: job.line,
                                       inside: key)
                    ok = false
                    continue
                }
                seen[entry.key.text] = entry.key.lineNumber
                if let v = jsonValue(entry.value, key: "\(key).\(entry.key.text)", job: job) {
                    out.append((entry.key.text, v))
                } else {
                    ok = false
                }
            }
            return ok ? .object(out) : nil
        }
    }

    /// A list of strings (`depends_on`, an argv); nil after reporting when it is not one.
    private mutating func stringList(_ key: String, _ node: DefinitionNode, job: JobContext) -> [String]? {
        guard case .sequence(let items) = node.content else {
            addType(key, node, expected: "list", job: job)
            return nil
        }
        var out: [String] = []
        out.reserveCapacity(items.count)
        var bad: [String] = []
        for (i, item) in items.enumerated() {
            if case .string = item.content { out.append(item.text) } else {
                bad.append("item \(i + 1) (\(item.text.isEmpty ? item.typeName : item.text)) is \(item.typeName)")
            }
        }
        guard bad.isEmpty else {
            issues.append(ValidationIssue(
                kind: .type, jobs: job.label,
                reason: "The type of the items of the job dict key \(key) is not string.",
                countermeasure: "Check the Data Job Dict type of the \(key) items: \(bad.joined(separator: ", ")). "
                    + "Expected type is string; quote values such as \"5\".",
                line: job.line))
            return nil
        }
        return out
    }

    private mutating func jobString(_ key: String, _ node: DefinitionNode, job: JobContext) -> String? {
        if let s = node.string { return s }
        addType(key, node, expected: "string", job: job)
        return nil
    }

    mutating func topString(_ key: String, _ node: DefinitionNode, line: Int) -> String? {
        if let s = node.string { return s }
        addType(key, node, expected: "string", job: nil, line: line)
        return nil
    }

    private mutating func executorKind(_ key: String, _ node: DefinitionNode, job: JobContext?,
                                       line: Int) -> ExecutorKind? {
        guard let s = node.string else {
            addType(key, node, expected: "string", job: job, line: line)
            return nil
        }
        guard let kind = ExecutorKind(rawValue: s) else {
            addRange(key, node, expectation: "one of local, remote", job: job, line: line)
            return nil
        }
        return kind
    }

    private mutating func integer(_ key: String, _ node: DefinitionNode, minimum: Int, job: JobContext?,
                                  line: Int) -> Int? {
        guard case .integer(let value) = node.content else {
            addType(key, node, expected: "integer", job: job, line: line)
            return nil
        }
        guard let value, value >= minimum, let int = Int(exactly: value) else {
            addRange(key, node, expectation: "an integer of at least \(minimum) that fits in 64 bits", job: job,
                     line: line)
            return nil
        }
        return int
    }

    /// A duration in seconds: an integer or a number with a fraction; negative (or zero when `positive`)
    /// values are reported as type issues with the reason.
    mutating func duration(_ key: String, _ node: DefinitionNode, positive: Bool, job: JobContext?,
                                   line: Int) -> Double? {
        let value: Double
        switch node.content {
        case .integer(let i?): value = Double(i)
        case .integer(nil): value = node.text.hasPrefix("-") ? -.infinity : .greatestFiniteMagnitude
        case .float(let d): value = d
        default:
            addType(key, node, expected: "number", job: job, line: line)
            return nil
        }
        if value.isFinite, value > Self.maxDurationSeconds {
            addRange(key, node, expectation: "at most \(Int(Self.maxDurationSeconds)) seconds (about 31 years; "
                        + "the clock counts nanoseconds in 64 bits)", job: job, line: line)
            return nil
        }
        guard value.isFinite, positive ? value > 0 : value >= 0 else {
            addRange(key, node, expectation: positive ? "a finite number of seconds greater than 0"
                                                      : "a finite number of seconds of at least 0",
                     job: job, line: line)
            return nil
        }
        return value
    }

    // MARK: - Issue builders

    mutating func addType(_ key: String, _ node: DefinitionNode, expected: String, job: JobContext?,
                                  line: Int? = nil) {
        if let job {
            issues.append(ValidationIssue(
                kind: .type, jobs: job.label,
                reason: "The type of the job dict key \(key) is not \(expected).",
                countermeasure: "Check the Data Job Dict type of the \(key) key. Current type is \(node.typeName). "
                    + "Expected type is \(expected).",
                line: job.line))
        } else {
            issues.append(ValidationIssue(
                kind: .type, jobs: [],
                reason: "The type of the key \(key) is not \(expected).",
                countermeasure: "Check the type of the \(key) key. Current type is \(node.typeName). "
                    + "Expected type is \(expected).",
                line: line ?? node.lineNumber))
        }
    }

    /// A value of the right type but outside what the key accepts (negative retries, `executor: cloud`).
    mutating func addRange(_ key: String, _ node: DefinitionNode, expectation: String, job: JobContext?,
                                   line: Int) {
        let owner = job == nil ? "key" : "job dict key"
        issues.append(ValidationIssue(
            kind: .type, jobs: job?.label ?? [],
            reason: "The value of the \(owner) \(key) is out of range: \(node.text.isEmpty ? node.typeName : node.text).",
            countermeasure: "Set \(key) to \(expectation).",
            line: job?.line ?? line))
    }

    /// A name as messages show it: as written when it is a valid job name, else escaped (never raw).
    static func shown(_ name: String) -> String {
        JobName.problem(name) == nil ? name : JobName.escaped(name)
    }

    /// A NUL byte in a string that becomes an argv item, an environment entry or a path: the kernel would cut it there.
    private mutating func addNUL(_ key: String, job: JobContext) {
        issues.append(ValidationIssue(
            kind: .type, jobs: job.label,
            reason: "The value of the job dict key \(key) contains a NUL character, which would silently cut it short.",
            countermeasure: "Remove the NUL (\\0, \\x00, \\u0000) from \(key).",
            line: job.line))
    }

    /// A string longer than the kernel takes as one argv item or environment entry (MAX_ARG_STRLEN).
    private mutating func addTooLong(_ key: String, bytes: Int, what: String, job: JobContext) {
        issues.append(ValidationIssue(
            kind: .type, jobs: job.label,
            reason: "The value of the job dict key \(key) is \(bytes) bytes\(what.isEmpty ? "" : " " + what); the system "
                + "takes at most \(Self.maxArgumentBytes) bytes per argument or environment entry (MAX_ARG_STRLEN).",
            countermeasure: "Pass large data in a file and give the job its path instead.",
            line: job.line))
    }

    private mutating func reportDuplicateKey(_ key: String, lines: [Int], job: JobContext?, line: Int,
                                             inside: String? = nil) {
        let place = inside.map { "the \($0) mapping" } ?? (job == nil ? "the top-level mapping" : "the job dict")
        issues.append(ValidationIssue(
            kind: .conflict, jobs: job?.label ?? [],
            reason: "The key \(key) appears more than once in \(place) (lines \(lines.map(String.init).joined(separator: ", "))).",
            countermeasure: "Keep only one \(key) key in \(place); later occurrences would silently override "
                + "earlier ones in other tools.",
            line: line))
    }

    /// A key as written, for messages (non-string keys by their text or type).
    private func keyName(_ key: DefinitionNode) -> String {
        key.text.isEmpty ? "<\(key.typeName)>" : key.text
    }

    /// " Did you mean `depends_on` instead of `depend_on`?" for each near miss.
    private func hints(for keys: [String], among allowed: [String]) -> String {
        var out = ""
        for key in keys {
            if let close = SpellingHint.closest(to: key, in: allowed) {
                out += " Did you mean `\(close)` instead of `\(key)`?"
            }
        }
        return out
    }
}
