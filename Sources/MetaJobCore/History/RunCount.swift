/// How many finished runs of a meta job ended in one state.
public struct RunCount: Sendable, Equatable {
    public var metaJob: String
    public var state: StoredRunState
    public var count: Int

    public init(metaJob: String, state: StoredRunState, count: Int) {
        self.metaJob = metaJob
        self.state = state
        self.count = count
    }
}
