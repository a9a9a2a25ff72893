/// One request in flight: settled once, by its answer or by its timeout, whichever comes first.
/// `@unchecked Sendable`: only touched on the executor's queue.
final class PendingRequest: @unchecked Sendable {
    private var settled = false

    /// True the first time only.
    func settle() -> Bool {
        if settled { return false }
        settled = true
        return true
    }
}
