/// An entry of the state machine's timer heaps. Entries are never removed early: a stale one
/// (the job moved on, its `token` no longer matches) is skipped when it comes due.
struct Deadline: Comparable, Sendable {
    var time: Double
    var sequence: UInt64
    var job: Int
    var token: Int

    static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.time < rhs.time || (lhs.time == rhs.time && lhs.sequence < rhs.sequence)
    }
}
