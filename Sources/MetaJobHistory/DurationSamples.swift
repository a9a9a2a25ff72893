import MetaJobCore

/// Past durations being gathered per job, newest first, up to a limit each: the accumulator behind
/// `HistoryStore.expectedDurations`.
struct DurationSamples {
    /// The job names asked for, as UTF-8, by their index in the definition.
    private let names: [[UInt8]]
    /// Name → index, for rows whose index holds another name (the definition changed between runs).
    private let byName: [String: Int]
    private let limit: Int
    private var samples: [[Double]]
    /// Jobs still short of `limit` samples.
    private var missing: Int

    init(jobs: [String], limit: Int) {
        names = jobs.map { Array($0.utf8) }
        var byName: [String: Int] = [:]
        for (i, name) in jobs.enumerated() where byName[name] == nil { byName[name] = i }
        self.byName = byName
        self.limit = limit
        samples = Array(repeating: [], count: jobs.count)
        missing = jobs.count
    }

    /// Every job has its samples: older runs cannot change the answer.
    var isComplete: Bool { missing == 0 }

    /// How many jobs are still short of `limit` samples.
    var shortCount: Int { missing }

    /// The jobs still short of `limit` samples: (index, name).
    var shortJobs: [(Int, String)] {
        samples.indices.filter { samples[$0].count < limit }.map { ($0, String(decoding: names[$0], as: UTF8.self)) }
    }

    /// One past success of job `j` (by index in the definition), lasting `seconds`.
    mutating func add(_ seconds: Double, job j: Int) {
        guard samples.indices.contains(j), samples[j].count < limit, seconds.isFinite, seconds >= 0 else { return }
        samples[j].append(seconds)
        if samples[j].count == limit { missing -= 1 }
    }

    /// One past success of the job stored at `index` under `name` (UTF-8), lasting `seconds`.
    mutating func add(_ seconds: Double, index: Int, name: UnsafeBufferPointer<UInt8>) {
        var j = index
        if !(names.indices.contains(j) && names[j].elementsEqual(name)) {
            guard let other = byName[String(decoding: name, as: UTF8.self)] else { return }
            j = other
        }
        add(seconds, job: j)
    }

    /// The estimate of every job with at least one sample, by name.
    func estimates() -> [String: DurationEstimate] {
        var result: [String: DurationEstimate] = [:]
        for (j, values) in samples.enumerated() {
            if let estimate = DurationEstimate(samples: values) {
                result[String(decoding: names[j], as: UTF8.self)] = estimate
            }
        }
        return result
    }
}
